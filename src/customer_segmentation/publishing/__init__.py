"""The folders the product writes, and the publish into them. Only what the
product created and marked as its own is replaced or deleted (``ownership``:
the rule and the manifest; ``beneath``: never through a link); the target
folder, the warehouse and the publish folder are each checked before any
work (``target_folder``, ``warehouse``, ``publish_folder``, with
``legacy_publish`` for folders written before the manifest); runs that share
a folder take its lock (``locking``); ``publish`` copies the published
tables out, all together or not at all.

May import: engines, inputs, messages.
"""
