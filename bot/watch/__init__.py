"""Sources: each converts its own messages into ``bot.core.post.Post`` at the boundary."""
