"""FlexNet Publisher (FlexLM) interop: licence files, options files, ``lmstat`` output.

Pure functions over text; nothing here opens a database or a network connection (the SSH fetch
takes the caller's executor).
"""
