// "Base de connaissances" (/knowledge): the portal's help articles in French and English
// (public/help/articles.json: plain data, shown as text), with a search that ignores accents and
// case and keeps the articles holding every word typed. It is public, so the help on signing in
// reads signed out; signed in, the page has the portal's header and menu. An article is
// /knowledge#<id>; other pages link to theirs from their header ("Aide").

import { get } from './api.js';
import { getLang, onLangChange } from './i18n.js';
import { startSession } from './session.js';
import { $, focusElement, initPage, setRawText, setText } from './ui.js';

/** Lower case, without accents or ligatures, curly apostrophes straight: what the search compares. */
function fold(text) {
  return String(text)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/œ/giu, 'oe')
    .replace(/æ/giu, 'ae')
    .replace(/[’‘]/gu, "'")
    .toLowerCase();
}

const words = (text) => fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

let articles = [];

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function articleText(article, lang) {
  return [article.title[lang], ...article.body[lang], ...(article.links ?? []).map((link) => link[lang])].join(' ');
}

function render() {
  const lang = getLang();
  const toc = $('knowledge-toc');
  const container = $('knowledge-articles');
  toc.replaceChildren();
  container.replaceChildren();
  for (const article of articles) {
    const headingId = `${article.id}-heading`;
    const section = element('section', { id: article.id, class: 'knowledge-article', 'aria-labelledby': headingId, 'data-text': fold(articleText(article, lang)) });
    const heading = element('h2', { id: headingId, tabindex: '-1' });
    setRawText(heading, article.title[lang]);
    section.append(heading);
    for (const paragraph of article.body[lang]) {
      const p = element('p');
      setRawText(p, paragraph);
      section.append(p);
    }
    if (article.links?.length) {
      const list = element('ul', { class: 'link-list' });
      for (const link of article.links) {
        const a = element('a', { href: link.href });
        setRawText(a, link[lang]);
        list.append(element('li', {}, a));
      }
      section.append(list);
    }
    container.append(section);
    const entry = element('a', { href: `#${article.id}` });
    setRawText(entry, article.title[lang]);
    toc.append(element('li', { 'data-article': article.id }, entry));
  }
  filter();
}

function filter() {
  const wanted = words($('knowledge-q').value);
  let shown = 0;
  for (const section of document.querySelectorAll('.knowledge-article')) {
    const text = section.getAttribute('data-text');
    const match = wanted.every((word) => text.includes(word));
    section.hidden = !match;
    document.querySelector(`[data-article="${section.id}"]`).hidden = !match;
    if (match) shown += 1;
  }
  const count = $('knowledge-count');
  if (shown === 0) setText(count, 'knowledge.none');
  else setText(count, 'knowledge.count', { n: shown });
}

function showArticle() {
  const id = decodeURIComponent(location.hash.slice(1));
  const section = id && document.getElementById(id);
  if (!section || !section.classList.contains('knowledge-article')) return;
  if (section.hidden) {
    $('knowledge-q').value = '';
    filter();
  }
  focusElement(section.querySelector('h2'));
  section.scrollIntoView();
}

async function start() {
  const me = await get('/api/me');
  if (me.ok) document.querySelector('header[data-layout]').setAttribute('data-layout', 'session');
  initPage('knowledge.title');
  if (me.ok) await startSession();
  const result = await get('/help/articles.json');
  if (!result.ok || !Array.isArray(result.data)) {
    setText($('knowledge-count'), 'common.load_failed');
    return;
  }
  articles = result.data;
  render();
  $('knowledge-q').addEventListener('input', filter);
  $('knowledge-form').addEventListener('submit', (event) => event.preventDefault());
  onLangChange(render);
  window.addEventListener('hashchange', showArticle);
  showArticle();
}

start();
