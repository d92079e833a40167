"""Daily digests: per-chat schedule, content from the archive, a chart, queued to the outbox.

Entry points: ``bot.digest.runner.run_scheduler`` (leader-elected scheduler loop) and
``bot.digest.render`` (the dispatcher's renderers for digests and their charts, registered in
``bot.deliver.renderers``).
"""
