from smsbus.cli.main import main

main()
