// Browser journeys of the commission's guide after account creation: linking an account to a
// firm's file ("Liaison d'un profil"), choosing a profile ("Sélectionnez un profil") and keeping
// the firm's contacts ("Mon organisation"), in headless Chromium against the real worker.
// Organisations are created as the operator does it (POST /api/operator/organisations).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, browser, button, enrolWhenLed, heading, label, logIn, menu, openBrowser, tab, withPage, withWorkerAndBrowser } from '../support/browser.mjs';
import { GOOD_PASSWORD, uniqueEmail } from '../support/app.mjs';
import { selectProfile } from '../support/orgs.mjs';

const OPERATOR_TOKEN = 'dev-operator-token';

withWorkerAndBrowser();

let fileNumbers = 4820170;
/** A file number no other test of this run uses (7 digits, never mistaken for a 6-digit code). */
const nextFileNumber = () => String((fileNumbers += 1));

/** The operator creates an organisation with its first responsible; answers its body. */
async function createOrganisation({ kind = 'accounting_firm', name, file_number = nextFileNumber(), postal_code = 'H2X 1Y4', email = uniqueEmail('dossier'), responsible }) {
  const res = await fetch(`${app.baseUrl}/api/operator/organisations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind, name, file_number, postal_code, email, responsible }),
  });
  const text = await res.text();
  assert.equal(res.status, 201, `operator created the organisation: ${text}`);
  const body = JSON.parse(text);
  assert.match(body.responsible.identifier, /^SEL-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  return { ...body, file_number, postal_code, email };
}

/** The identifier and link code of a link-credentials email. */
function linkCredentialsOf(message) {
  const identifier = message.text.match(/SEL-[0-9A-Z]{4}-[0-9A-Z]{4}/)?.[0];
  const code = message.text.match(/(?:Code de liaison|Link code)\s*:\s*([0-9A-Z]{5}-?[0-9A-Z]{5})/i)?.[1];
  assert.ok(identifier && code, `link credentials in the email:\n${message.text}`);
  return { identifier, code };
}

const isCredentialsEmail = (message) => /SEL-[0-9A-Z]{4}-[0-9A-Z]{4}/.test(message.text);
const isSignupCodeEmail = (message) => /\b\d{6}\b/.test(message.text) && !isCredentialsEmail(message);

/** The guide's account creation, in the browser, up to the validated code. */
async function signUpInBrowser(page, { email, password = GOOD_PASSWORD, firstName, lastName }) {
  await page.goto(`${app.baseUrl}/signup`);
  await heading(page, 'Créer un compte').waitFor();
  await label(page, 'Adresse courriel').fill(email);
  await label(page, 'Mot de passe').fill(password);
  await label(page, 'Confirmation du mot de passe').fill(password);
  await button(page, 'Suivant').click();
  await label(page, 'Prénom').fill(firstName);
  await label(page, 'Nom').fill(lastName);
  await label(page, "J'ai lu et j'approuve les conditions d'utilisation").check();
  await button(page, 'Créer mon compte').click();
  await page.getByText(`Un code à 6 chiffres a été envoyé à ${email}.`).waitFor();
  const [code] = (await app.waitForEmail(email, isSignupCodeEmail)).text.match(/\b\d{6}\b/);
  await label(page, 'Code de vérification').fill(code);
  await button(page, 'Valider le code').click();
}

/** From the first step of "Liaison d'un profil" to the chosen method's form. */
async function chooseLinkMethod(page, method) {
  await heading(page, "Liaison d'un profil").waitFor();
  await button(page, 'Commencer').click();
  await heading(page, 'Étape 2 de 3 – Méthode de liaison').waitFor();
  await label(page, method).check();
  await button(page, 'Suivant').click();
}

async function linkWithCredentials(page, { identifier, code }) {
  await chooseLinkMethod(page, 'Utiliser des coordonnées de liaison');
  await heading(page, 'Étape 3 de 3 – Coordonnées de liaison').waitFor();
  await label(page, 'Identifiant').fill(identifier);
  await label(page, 'Code de liaison').fill(code);
  await button(page, 'Lier mon compte').click();
}

const profileBar = (page) => page.locator('#profile-bar');
const contactRow = (page, name) => page.locator('tr', { has: page.getByRole('rowheader', { name, exact: true }) });

test("a firm's responsible links with the operator's credentials, invites a member, and sees them linked once the member has signed up and linked with the emailed credentials", async () => {
  const responsibleEmail = uniqueEmail('julie.dupuis');
  const memberEmail = uniqueEmail('marc.tremblay');
  const firmName = 'Cabinet Comptable Dupuis inc.';

  // The responsible's account exists before the operator creates the firm (its code email first).
  await app.signedUpUser({ email: responsibleEmail, first_name: 'Julie', last_name: 'Dupuis' });
  const firm = await createOrganisation({
    name: firmName,
    responsible: { first_name: 'Julie', last_name: 'Dupuis', email: responsibleEmail },
  });

  const responsible = await openBrowser(browser);
  const member = await openBrowser(browser);
  try {
    // The responsible signs in: nothing is linked yet, so the portal opens "Liaison d'un profil".
    const page = responsible.page;
    await logIn(page, app.baseUrl, responsibleEmail);
    await heading(page, "Liaison d'un profil").waitFor();
    // The code is accepted typed in lower case and without its hyphen.
    await linkWithCredentials(page, {
      identifier: firm.responsible.identifier,
      code: firm.responsible.code.replace('-', '').toLowerCase(),
    });
    await page.getByText(`Votre compte est maintenant lié au dossier ${firmName} (${firm.file_number}).`, { exact: true }).waitFor();
    await button(page, 'Continuer').click();
    // A firm's profile needs a second factor: the portal leads to setting one up, then home.
    await enrolWhenLed(page, responsibleEmail);

    await heading(page, 'Bonjour, Julie').waitFor();
    await profileBar(page).getByText(firmName, { exact: true }).waitFor();
    await profileBar(page).getByText('Responsable', { exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Lier un dossier', exact: true }).count(), 0, 'no call to link a file once one is linked');

    // Mon organisation: the firm, its contacts, and the invitation of a member.
    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(page, firmName).waitFor();
    await page.getByText(`Numéro de dossier : ${firm.file_number}`).waitFor();
    await contactRow(page, 'Julie Dupuis').getByText('Lié', { exact: true }).waitFor();
    await page.getByText('Rangées 1 - 1 de 1 enregistrements', { exact: true }).waitFor();

    await button(page, 'Inviter un contact').click();
    const invite = page.locator('#invite-form');
    await label(invite, 'Prénom').fill('Marc');
    await label(invite, 'Nom').fill('Tremblay');
    await label(invite, 'Adresse courriel').fill(memberEmail);
    await label(invite, 'Rôle').selectOption({ label: 'Membre' });
    await button(invite, "Envoyer l'invitation").click();
    await page.getByText(`L'invitation a été envoyée à ${memberEmail}.`, { exact: true }).waitFor();
    const invited = contactRow(page, 'Marc Tremblay');
    await invited.getByText('Invité', { exact: true }).waitFor();
    await invited.getByText('Envoyées', { exact: true }).waitFor();
    await invited.getByText('Membre', { exact: true }).waitFor();

    // The member creates an account; validating the code leads to "Liaison d'un profil".
    const memberPage = member.page;
    await signUpInBrowser(memberPage, { email: memberEmail, firstName: 'Marc', lastName: 'Tremblay' });
    await heading(memberPage, "Liaison d'un profil").waitFor();
    assert.equal(new URL(memberPage.url()).pathname, '/link');

    const invitation = await app.waitForEmail(memberEmail, isCredentialsEmail);
    await linkWithCredentials(memberPage, linkCredentialsOf(invitation));
    await memberPage.getByText(`Votre compte est maintenant lié au dossier ${firmName} (${firm.file_number}).`, { exact: true }).waitFor();
    await button(memberPage, 'Continuer').click();
    await enrolWhenLed(memberPage, memberEmail);

    await heading(memberPage, 'Bonjour, Marc').waitFor();
    await profileBar(memberPage).getByText(firmName, { exact: true }).waitFor();
    await profileBar(memberPage).getByText('Membre', { exact: true }).waitFor();

    // A member sees the contacts read-only.
    await menu(memberPage).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(memberPage, firmName).waitFor();
    await memberPage.getByText("Seuls les responsables de l'organisation peuvent inviter, modifier ou révoquer des contacts.").waitFor();
    await contactRow(memberPage, 'Marc Tremblay').waitFor();
    assert.equal(await button(memberPage, 'Inviter un contact').count(), 0, 'a member cannot invite');
    assert.equal(await memberPage.getByRole('button', { name: /^Gérer / }).count(), 0, 'a member cannot manage contacts');

    // The responsible reloads Mon organisation: the member is now linked, with their account.
    await page.reload();
    const linked = contactRow(page, 'Marc Tremblay');
    await linked.getByText('Lié', { exact: true }).waitFor();
    await linked.getByText('Utilisées', { exact: true }).waitFor();
    await linked.getByText(memberEmail).first().waitFor();
  } finally {
    await responsible.close();
    await member.close();
  }
});

test('a wrong link code tells how many attempts are left, and a known-facts request answers the same neutral sentence whether or not the facts match', async () => {
  const firm = await createOrganisation({
    name: 'Association des Entrepreneurs du Nord',
    kind: 'association',
    postal_code: 'G1K 3X2',
    responsible: { first_name: 'Hélène', last_name: 'Roy', email: uniqueEmail('helene.roy') },
  });
  const { email } = await app.signedUpUser({ first_name: 'Paul', last_name: 'Gagnon' });

  await withPage(browser, async (page) => {
    await logIn(page, app.baseUrl, email);
    await linkWithCredentials(page, { identifier: firm.responsible.identifier, code: 'ZZZZZ-ZZZZZ' });
    await page.getByText(/Il vous reste \d+ tentatives? avant le verrouillage de ces coordonnées\./).waitFor();
    assert.equal(await label(page, 'Code de liaison').getAttribute('aria-invalid'), 'true');

    // The former online services: the username prefix is checked before asking.
    await button(page, 'Précédent').click();
    await label(page, 'Utiliser mes identifiants des anciens services en ligne').check();
    await button(page, 'Suivant').click();
    await label(page, "Nom d'utilisateur").fill('zz12345');
    await label(page, 'Mot de passe').fill('un mot de passe');
    await button(page, 'Lier mon compte').click();
    await page.getByText("Le nom d'utilisateur doit commencer par ci, er, as ou ap.").waitFor();

    const neutral = "Si les renseignements correspondent à notre dossier, un code de liaison a été envoyé à l'adresse courriel inscrite au dossier.";
    for (const postalCode of ['g1k 3x2', 'H0H 0H0']) {
      await page.goto(`${app.baseUrl}/link`);
      await chooseLinkMethod(page, 'Faire une demande à partir de renseignements connus');
      const step = page.getByRole('region', { name: 'Étape 3 de 3 – Renseignements connus', exact: true });
      await step.getByText("à l'adresse courriel inscrite au dossier de l'organisation, jamais à vous").waitFor();
      await label(page, 'Numéro de dossier').fill(firm.file_number);
      await label(page, 'Code postal').fill(postalCode);
      await button(page, 'Envoyer la demande').click();
      await page.getByText(neutral, { exact: true }).waitFor();
    }
  });

  // The code went to the address on file, never to the person who asked.
  const onFile = await app.waitForEmail(firm.email, isCredentialsEmail);
  assert.match(onFile.text, new RegExp(firm.file_number));
  assert.equal((await app.mailbox(email)).filter(isCredentialsEmail).length, 0, 'the requester receives no link code');
});

test('a user linked to two files chooses one in "Sélectionnez un profil" after signing in, and "Changer de profil" switches to the other', async () => {
  const email = uniqueEmail('sophie.cote');
  const { client } = await app.signedUpUser({ email, first_name: 'Sophie', last_name: 'Côté' });
  const firm = await createOrganisation({ name: 'Cabinet Côté & associés', responsible: { first_name: 'Sophie', last_name: 'Côté', email } });
  const employer = await createOrganisation({ kind: 'employer', name: 'Construction Beauséjour ltée', responsible: { first_name: 'Sophie', last_name: 'Côté', email } });
  for (const organisation of [firm, employer]) {
    const linked = await client.linkWithCredentials({ identifier: organisation.responsible.identifier, code: organisation.responsible.code });
    assert.equal(linked.status, 200, linked.text);
  }

  await withPage(browser, async (page) => {
    await logIn(page, app.baseUrl, email);
    await heading(page, 'Sélectionnez un profil').waitFor();
    await page.getByRole('button', { name: /Profil personnel/ }).waitFor();
    await page.getByRole('button', { name: new RegExp(`Cabinet Côté & associés.*Cabinet comptable.*${firm.file_number}.*Responsable`) }).waitFor();
    const employerChoice = page.getByRole('button', { name: new RegExp(`Construction Beauséjour ltée.*Employeur.*${employer.file_number}`) });
    await employerChoice.click();
    // A responsible's profile needs a second factor: the portal leads to setting one up, then home.
    await enrolWhenLed(page, email);

    await heading(page, 'Bonjour, Sophie').waitFor();
    await profileBar(page).getByText('Construction Beauséjour ltée', { exact: true }).waitFor();

    await profileBar(page).getByRole('link', { name: 'Changer de profil', exact: true }).click();
    await heading(page, 'Sélectionnez un profil').waitFor();
    assert.equal(await employerChoice.getAttribute('aria-current'), 'true', 'the active profile is marked');
    await page.getByRole('link', { name: 'Lier un autre dossier', exact: true }).waitFor();
    await page.getByRole('button', { name: /Cabinet Côté & associés/ }).click();

    await heading(page, 'Bonjour, Sophie').waitFor();
    await profileBar(page).getByText('Cabinet Côté & associés', { exact: true }).waitFor();
  });
});

test('a responsable resends credentials, cannot demote the last responsable, revokes a member after confirming in the page, and finds it all in the activity log', async () => {
  const email = uniqueEmail('luc.bergeron');
  const memberEmail = uniqueEmail('nadia.belanger');
  const { client } = await app.signedUpUser({ email, first_name: 'Luc', last_name: 'Bergeron' });
  const firm = await createOrganisation({ name: 'Bergeron CPA', responsible: { first_name: 'Luc', last_name: 'Bergeron', email } });
  const linked = await client.linkWithCredentials({ identifier: firm.responsible.identifier, code: firm.responsible.code });
  assert.equal(linked.status, 200, linked.text);
  const selected = await selectProfile(client, linked.body.profile.id);
  assert.equal(selected.status, 200, selected.text);
  const invited = await client.inviteMember({ first_name: 'Nadia', last_name: 'Bélanger', email: memberEmail, role: 'membre' });
  assert.equal(invited.status, 201, invited.text);
  await app.waitForEmail(memberEmail, isCredentialsEmail);

  await withPage(browser, async (page) => {
    await logIn(page, app.baseUrl, email, { firstName: 'Luc' });
    await page.goto(`${app.baseUrl}/organisation`);
    await heading(page, 'Bergeron CPA').waitFor();

    // Search narrows the list (accents need not be typed).
    await page.getByRole('searchbox', { name: 'Rechercher un contact' }).fill('belanger');
    await page.getByText('Rangées 1 - 1 de 1 enregistrements', { exact: true }).waitFor();
    await contactRow(page, 'Nadia Bélanger').waitFor();
    await page.getByRole('searchbox', { name: 'Rechercher un contact' }).fill('');
    await page.keyboard.press('Enter');
    await page.getByText('Rangées 1 - 2 de 2 enregistrements', { exact: true }).waitFor();

    // Resend the invited member's credentials: a second email, the old ones dead.
    await button(page, 'Gérer Nadia Bélanger').click();
    await button(page, 'Renvoyer les coordonnées').click();
    await page.getByText(`De nouvelles coordonnées de liaison ont été envoyées à ${memberEmail}.`, { exact: true }).waitFor();
    await app.waitForEmail(memberEmail, isCredentialsEmail, { count: 2 });

    // The only responsable cannot become a member.
    await button(page, 'Gérer Luc Bergeron').click();
    const manage = page.locator('form.manage');
    await label(manage, 'Rôle').selectOption({ label: 'Membre' });
    await button(manage, 'Modifier le rôle').click();
    await manage.getByText("L'organisation doit toujours compter au moins un responsable.", { exact: false }).waitFor();
    await button(manage, 'Fermer').click();

    // Revoking asks for a confirmation in the page first.
    await button(page, 'Gérer Nadia Bélanger').click();
    await button(page, 'Révoquer').click();
    await page.getByText(/Révoquer l'accès de Nadia Bélanger\? Son accès au dossier de l'organisation prend fin immédiatement/).waitFor();
    await button(page, 'Confirmer la révocation').click();
    await page.getByText("L'accès de Nadia Bélanger a été révoqué.", { exact: true }).waitFor();
    await contactRow(page, 'Nadia Bélanger').getByText('Révoqué', { exact: true }).waitFor();

    await label(page, 'Statut').selectOption({ label: 'Révoqué' });
    await page.getByText('Rangées 1 - 1 de 1 enregistrements', { exact: true }).waitFor();

    await tab(page, 'Journal des activités').click();
    const log = page.getByRole('tabpanel', { name: 'Journal des activités' });
    await log.getByText("Invitation d'un contact", { exact: true }).first().waitFor();
    await log.getByText("Révocation d'un contact", { exact: true }).first().waitFor();
  });

  // The revoked credentials no longer link anyone.
  const latest = linkCredentialsOf(await app.waitForEmail(memberEmail, isCredentialsEmail, { count: 2 }));
  const stranger = await app.signedUpUser({ email: uniqueEmail('intrus') });
  const refused = await stranger.client.linkWithCredentials(latest);
  assert.notEqual(refused.status, 200, 'revoked credentials are refused');
});

test('Mon organisation explains how to get an organisation profile when none is active', async () => {
  const { email } = await app.signedUpUser({ first_name: 'Émile', last_name: 'Fortin' });
  await withPage(browser, async (page) => {
    await logIn(page, app.baseUrl, email);
    await heading(page, "Liaison d'un profil").waitFor();
    await page.getByRole('link', { name: "Lier plus tard et aller à l'accueil", exact: true }).click();
    await heading(page, 'Bonjour, Émile').waitFor();
    await page.getByRole('heading', { name: 'Liez votre compte au dossier de votre organisation' }).waitFor();

    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(page, 'Mon organisation').waitFor();
    await page.getByText("Sélectionnez le profil d'une organisation", { exact: false }).waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Sélectionnez un profil', exact: true }).waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Lier un dossier', exact: true }).click();
    await heading(page, "Liaison d'un profil").waitFor();
  });
});
