"""Keys, signatures and sealing: who sent what, and who alone may read it.

One concept per module:

- :mod:`~window_app.trust.suites` — the names of the algorithms (``suite``) every signed or
  sealed object carries, so a national (国密 SM2/SM3/SM4) suite can be added without a format change;
- :mod:`~window_app.trust.keys` — Ed25519 signing keys and X25519 sealing keys, their public
  text form and key ids;
- :mod:`~window_app.trust.signing` — :class:`Signature`, signing and verifying bytes;
- :mod:`~window_app.trust.sealing` — :class:`Sealed`, HPKE (RFC 9180) to one public key;
- :mod:`~window_app.trust.key_files` — private keys in files of their own, mode 0600;
- :mod:`~window_app.trust.demo` — deterministic, deliberately public demo keys (``--demo``).

This package sits below the services and the store and above the domain: it imports
``cryptography`` and reads key files, nothing else of the project but the domain's words.
``docs/security.md`` is the threat model and what each key protects.
"""

