// How a profile (personal, or a contact's place in an organisation) is put into words, the same
// way in the header, the profile chooser, the linking confirmation and "Mon organisation".

import { wordFor } from './table.js';
import { setRawText, setText } from './ui.js';

export const KIND_KEYS = {
  accounting_firm: 'profile.kind.accounting_firm',
  employer: 'profile.kind.employer',
  association: 'profile.kind.association',
};

export const ROLE_KEYS = {
  responsable: 'profile.role.responsable',
  membre: 'profile.role.membre',
};

/** "Prénom Nom" of a person (a contact, a user). */
export const fullName = (person) => `${person?.first_name ?? ''} ${person?.last_name ?? ''}`.trim();

export function isOrganisationProfile(profile) {
  return Boolean(profile && profile.kind === 'organisation' && profile.organisation);
}

function span(className) {
  const element = document.createElement('span');
  if (className) element.className = className;
  return element;
}

/**
 * Fills `container` with one line: "Cabinet X · dossier 1234567 · Responsable", or "Profil
 * personnel". `kind: true` adds the organisation's kind after its name.
 */
export function renderProfileSummary(container, profile, { kind = false } = {}) {
  container.replaceChildren();
  if (!isOrganisationProfile(profile)) {
    const personal = span('profile-summary__name');
    setText(personal, 'profile.personal');
    container.append(personal);
    return;
  }
  const { organisation } = profile;
  const name = span('profile-summary__name');
  setRawText(name, organisation.name);
  const parts = [name];
  if (kind) parts.push(wordFor(KIND_KEYS, organisation.kind));
  const file = span();
  setText(file, 'profile.file_number', { number: organisation.file_number });
  parts.push(file);
  if (profile.role) parts.push(wordFor(ROLE_KEYS, profile.role));
  parts.forEach((part, index) => {
    if (index > 0) {
      const separator = span('profile-summary__separator');
      separator.setAttribute('aria-hidden', 'true');
      separator.textContent = ' · ';
      container.append(separator);
      // Screen readers get a comma instead of the middle dot.
      const pause = span('visually-hidden');
      pause.textContent = ', ';
      container.append(pause);
    }
    container.append(part);
  });
}
