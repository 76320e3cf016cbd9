"""An example subscriber to smsbus: consumes `openphone.messages.v1`, typed by the contracts
package, and handles each fact once (dedupe by `dedupe_key`). See docs/subscribing.md."""
