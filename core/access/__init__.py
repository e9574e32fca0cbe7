"""Who may do what: team members and their roles, logins, the audit log, the menu, team settings.

``auth`` defines roles and permissions and checks them (every core action calls ``require`` with
the acting user, so the rule holds whether the call comes from a page or the command line);
``users`` manages the team; ``sessions`` keeps logins on the server (only a token's hash per
browser) and ``session_routes`` sets and clears their HttpOnly cookie over HTTP; ``audit`` records
every change; ``navigation`` decides which pages a role sees; ``settings`` holds the few choices an
admin makes for the whole team.

The front door: ``login`` is the order of a login's steps after the form (whatever the way in);
``throttle`` makes a username or address wait after failed logins, ``addresses`` says which
address a request comes from (trusting ``X-Forwarded-For`` only from ``TRUSTED_PROXIES``);
``two_factor`` checks authenticator codes and recovery codes; ``sso`` matches a single sign-on
identity to a team member; ``headers`` puts the security headers on every HTTP answer.
"""
