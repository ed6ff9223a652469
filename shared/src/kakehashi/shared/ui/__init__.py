"""The web UI kit every service's pages are built from (self-contained systems, one look).

- `i18n`: languages (cookie, else Accept-Language, else Vietnamese) and gettext catalogs that
  layer a service's messages over the kit's;
- `pages.Pages`: Jinja2 environments per language over the service's templates and the kit's
  (`kit/base.html`, `kit/messages.html`), rendering, the static assets (one CSS, vendored htmx);
- `navigation`: the links across the services, their URLs from settings;
- `browser_session`: the single sign-on cookies, the CSRF check and the `next` URL check.

No build step: templates, the CSS and htmx are files in this package.
"""
