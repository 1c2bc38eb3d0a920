"""One module per generated page: each turns the model of the code into one file under ``docs/``.

``spec_reference`` (``reference/spec.md``), ``components_reference`` (``reference/components.md``),
``cli_reference`` (``reference/cli.md``), ``spec_schema`` (``reference/spec.schema.json``), ``plots``
(``images/*.svg``) and ``snippets`` (hand-written pages whose marked code blocks copy a file).
"""
