"""Notifications to the applicant's phone: the notifier interface and its implementations.

Modules (one concept each):

- :mod:`.message`: :class:`~.message.Message` (what is sent) and :class:`~.message.Outcome`
  (sent / retry later / refused for good, with words);
- :mod:`.notifier`: the :class:`~.notifier.Notifier` interface;
- :mod:`.log_notifier`: ``[notify] kind = "log"``, one JSON line per message in
  ``<data dir>/notifications.log`` (0600): the demo and the tests;
- :mod:`.http_notifier`: ``kind = "http"``, a generic SMS gateway (POST JSON, bearer token from
  a file of its own): how a deployment plugs in its provincial SMS platform;
- :mod:`.texts`: the messages' words (Chinese for the applicant, English available);
- :mod:`.choose`: the notifier the settings ask for, or words saying why not.

What is queued and when: :mod:`offline_cache.notifications`; the sending:
:mod:`window_app.sync.notifying` (docs/sync.md, *Notifications to the applicant*).
"""
