"""`smsbus replay`: a window of topics, filtered, copied to another topic or rewound for a group;
and what the other operator commands share with it (filters, pacing, progress, replay headers)."""
