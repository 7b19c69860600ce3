// The frame every page shares, written once: the skip link, the header (brand, language switch;
// on the signed-in pages also the account's email, "Mon compte" (/account), "Se déconnecter" and the active profile's bar
// with "Changer de profil"), the main menu and the footer. A page only says which header it has:
//
//   <header class="site-header" data-layout="public"></header>     login, signup, code, terms…
//   <header class="site-header" data-layout="session" data-current="files"></header>
//
// The footer follows <main>. Under the header of a signed-in page with `data-current` comes the
// main menu, that entry marked aria-current="page". Every entry is a page of its own. The texts
// are dictionary keys (data-i18n) that initPage() translates with the rest of the page.
// session.js fills in the email, the profile and the entries only an employer's profile sees
// (data-employer-only). A header's `data-help="<article>"` adds "Aide" next to the language switch,
// leading to that article of the knowledge base (/knowledge#<article>).

// The link's name is its visible words followed by where it leads (a name that differs from
// the visible words fails WCAG 2.5.3, "label in name").
const BRAND = `
      <a class="brand">
        <span class="brand__mark" aria-hidden="true">SEL</span>
        <span class="brand__text"><span class="brand__name" data-i18n="site.name"></span><span class="brand__tagline" data-i18n="site.tagline"></span></span>
        <span class="visually-hidden" data-i18n="site.home_link"></span>
      </a>`;

const LANGUAGE_SWITCH = '<button type="button" class="link-button lang-toggle" data-lang-toggle data-i18n="lang.switch"></button>';

const HEADERS = {
  // Login, signup, code entry, forgotten password, terms: no session.
  public: `
    <div class="container site-header__inner">${BRAND}
      <div class="site-header__tools">
        ${LANGUAGE_SWITCH}
      </div>
    </div>`,
  session: `
    <div class="container site-header__inner">${BRAND}
      <div class="site-header__tools">
        <span class="user-email" id="user-email" hidden></span>
        <a class="header-link" href="/account" data-i18n="account.menu"></a>
        ${LANGUAGE_SWITCH}
        <button type="button" class="button button--small button--inverse" id="logout" data-i18n="home.logout"></button>
      </div>
    </div>
    <div class="profile-bar" id="profile-bar" hidden>
      <div class="container profile-bar__inner">
        <p class="profile-bar__text"><span class="profile-bar__label" data-i18n="session.profile_label"></span> <span class="profile-summary" id="profile-bar-summary"></span></p>
        <a class="profile-bar__change" id="profile-bar-change" href="/profiles" data-i18n="session.change_profile"></a>
      </div>
    </div>`,
};

const BRAND_LINKS = { public: '/', session: '/home' };

const FOOTER = `
  <footer class="site-footer">
    <div class="container site-footer__inner">
      <span data-i18n="footer.copyright"></span>
      <a href="/conditions" data-i18n="footer.terms"></a>
    </div>
  </footer>`;

// The main menu, in the guide's order.
const MENU = [
  { id: 'home', key: 'home.title', href: '/home' },
  { id: 'organisation', key: 'menu.organisation', href: '/organisation' },
  { id: 'catalogue', key: 'menu.catalogue', href: '/catalogue' },
  { id: 'knowledge', key: 'menu.knowledge', href: '/knowledge' },
  { id: 'requests', key: 'menu.requests', href: '/requests' },
  { id: 'files', key: 'menu.files', href: '/files' },
  // Only an employer's profile that manages its authorizations sees it (see session.js).
  { id: 'employer', key: 'menu.employer', href: '/employer', employerOnly: true },
];

/** Static markup (constants only) as nodes. */
function fragment(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

function menuItem(entry, current) {
  const item = document.createElement('li');
  if (entry.employerOnly) {
    item.setAttribute('data-employer-only', '');
    item.hidden = true;
  }
  const link = document.createElement('a');
  link.href = entry.href;
  if (entry.id === current) link.setAttribute('aria-current', 'page');
  link.setAttribute('data-i18n', entry.key);
  item.append(link);
  return item;
}

function menu(current) {
  const nav = document.createElement('nav');
  nav.className = 'main-nav';
  nav.id = 'main-nav';
  nav.setAttribute('data-i18n-attr', 'aria-label:home.menu');
  const list = document.createElement('ul');
  list.className = 'container main-nav__list';
  list.append(...MENU.map((entry) => menuItem(entry, current)));
  nav.append(list);
  return nav;
}

/** "Aide": the knowledge base's article about this page. */
function helpLink(article) {
  const link = document.createElement('a');
  link.className = 'header-link';
  link.href = `/knowledge#${encodeURIComponent(article)}`;
  link.setAttribute('data-i18n', 'help.header_link');
  return link;
}

/** Fills the page's header, adds the menu and the footer, and puts the skip link first. */
export function renderLayout() {
  const header = document.querySelector('header[data-layout]');
  if (header && !header.hasChildNodes()) {
    const variant = header.getAttribute('data-layout') === 'public' ? 'public' : 'session';
    const current = variant === 'session' ? header.getAttribute('data-current') : null;
    header.replaceChildren(fragment(HEADERS[variant]));
    header.querySelector('.brand').href = BRAND_LINKS[variant];
    const help = header.getAttribute('data-help');
    if (help) header.querySelector('.lang-toggle').before(helpLink(help));
    if (current) header.after(menu(current));
    const skip = document.createElement('a');
    skip.className = 'skip-link';
    skip.href = '#main';
    skip.setAttribute('data-i18n', 'common.skip');
    document.body.prepend(skip);
    document.getElementById('main').after(fragment(FOOTER));
  }
}
