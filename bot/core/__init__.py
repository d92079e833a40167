"""The pure core: plain data and functions, no Telegram, no SQL, no I/O."""
