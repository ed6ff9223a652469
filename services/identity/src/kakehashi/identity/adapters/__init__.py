"""Tables, migrations, cryptography and mail."""
