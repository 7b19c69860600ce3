// Browser journeys of authorizations in headless Chromium against the real worker: an employer authorizes
// a firm's contact in "Autorisations (employeur)", the contact finds the file in "Mes dossiers
// autorisés" (search, paging, the address keeping the list), opens it and its monthly report, and
// loses it as soon as the employer revokes; a firm contact's access request ("Relation client
// manquante?") approved by the employer; and the employer's responsable letting a member manage
// the authorizations. Organisations, links and the other files are arranged through the API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, browser, button, emailFor, enrolWhenLed, heading, label, logIn, menu, openBrowser, text, withWorkerAndBrowser } from '../support/browser.mjs';
import { uniqueEmail } from '../support/app.mjs';
import { createOrganisation, link, linkedMember, linkedResponsible, selectProfile, signedUp } from '../support/orgs.mjs';

withWorkerAndBrowser();

const fileRow = (page, name) => page.locator('tr', { has: page.getByRole('rowheader', { name, exact: true }) });
const rowStartingWith = (page, name) => page.locator('tr', { has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });

/** A firm with its responsible, and a linked member acting for it (profile active). */
async function firmWithMember({ firmName, first_name, last_name }) {
  const firm = await linkedResponsible(app, { kind: 'accounting_firm', name: firmName });
  const member = await linkedMember(app, firm.client, { first_name, last_name, email: emailFor(first_name) });
  return { firm, member };
}

/** An employer whose responsible (signed up, linked, acting for it) is `first_name last_name`. */
function employerWithResponsible({ name, first_name, last_name, postal_code = 'H2X 1Y4' }) {
  return linkedResponsible(app, {
    kind: 'employer',
    name,
    postal_code,
    responsible: { first_name, last_name, email: emailFor(first_name) },
  });
}

/**
 * `count` other employers, all run by one person linked to each, each authorizing the contact
 * `contactEmail` of the firm `firmFileNumber` for the status letter (through the API).
 */
async function otherEmployersAuthorizing({ count, prefix, firmFileNumber, contactEmail }) {
  const ownerEmail = uniqueEmail('proprietaire');
  const owner = await signedUp(app, { email: ownerEmail, first_name: 'Paul', last_name: 'Gagnon' });
  for (let i = 1; i <= count; i += 1) {
    const created = await createOrganisation(app, {
      kind: 'employer',
      name: `${prefix} ${String(i).padStart(2, '0')}`,
      responsible: { first_name: 'Paul', last_name: 'Gagnon', email: ownerEmail },
    });
    const linked = await link(owner.client, created.responsible);
    assert.equal(linked.status, 200, `linking employer ${i}: ${linked.text}`);
    const selected = await selectProfile(owner.client, linked.body.profile.id);
    assert.equal(selected.status, 200, `selecting employer ${i}: ${selected.text}`);
    const granted = await owner.client.grantAuthorization({
      firm_file_number: firmFileNumber, contact_email: contactEmail, services: ['status_letter'], level: 'consultation',
    });
    assert.equal(granted.status, 201, `employer ${i} authorizes the contact: ${granted.text}`);
  }
}

test('an employer grants a firm contact two services; the contact searches and pages "Mes dossiers autorisés", opens the file and its monthly report, and loses them on the next load once the employer revokes', async () => {
  // Arrange: a firm and its member Marc, the employer of the journey, and eleven other employers
  // that authorized Marc ("Atelier …" sort before "Construction …": the file is on page 2 of 10).
  const { firm, member } = await firmWithMember({ firmName: 'Cabinet Dupuis & associés', first_name: 'Marc', last_name: 'Tremblay' });
  const employer = await employerWithResponsible({ name: 'Construction Beauséjour ltée', first_name: 'Julie', last_name: 'Roy' });
  await otherEmployersAuthorizing({ count: 11, prefix: 'Atelier Québec', firmFileNumber: firm.form.file_number, contactEmail: member.email });

  const employerBrowser = await openBrowser(browser);
  const contactBrowser = await openBrowser(browser);
  try {
    // The employer grants Marc two services in "Autorisations (employeur)".
    const boss = employerBrowser.page;
    await logIn(boss, app.baseUrl, employer.email, { firstName: 'Julie' });
    await menu(boss).getByRole('link', { name: 'Autorisations (employeur)', exact: true }).click();
    await heading(boss, 'Autorisations').waitFor();
    await boss.getByText("Vous n'avez encore autorisé aucun contact.", { exact: true }).waitFor();
    await button(boss, 'Nouvelle autorisation').click();
    const grant = boss.locator('#grant-form');
    await label(grant, 'Numéro de dossier du cabinet').fill(firm.form.file_number);
    await label(grant, 'Adresse courriel du contact').fill(member.email);
    await label(grant, "Gestion de la main-d'œuvre").check();
    await label(grant, 'Rapport mensuel').check();
    await label(grant, 'Consultation').check();
    await button(grant, "Accorder l'autorisation").click();
    await boss.getByText('Marc Tremblay (Cabinet Dupuis & associés) est maintenant autorisé sur votre dossier.', { exact: true }).waitFor();
    await text(boss.locator('#panel-authorizations'), 'Rangées 1 - 1 de 1 enregistrements').waitFor();
    const granted = rowStartingWith(boss, 'Marc Tremblay');
    await granted.getByText('Active', { exact: true }).waitFor();
    await granted.getByText('Accordée', { exact: true }).waitFor();

    // The contact: no employer menu, twelve files, ten a page.
    const page = contactBrowser.page;
    await logIn(page, app.baseUrl, member.email, { firstName: 'Marc' });
    assert.equal(await menu(page).getByRole('link', { name: 'Autorisations (employeur)' }).count(), 0, 'a firm contact has no employer menu');
    await menu(page).getByRole('link', { name: 'Mes dossiers autorisés', exact: true }).click();
    await heading(page, 'Mes dossiers autorisés').waitFor();
    await text(page, 'Rangées 1 - 12 de 12 enregistrements').waitFor();
    await label(page, 'Rangées par page').selectOption('10');
    await text(page, 'Rangées 1 - 10 de 12 enregistrements').waitFor();
    assert.equal(await fileRow(page, 'Construction Beauséjour ltée').count(), 0, 'sorted by name, the file is not on page 1');
    assert.equal(await page.getByRole('searchbox', { name: 'Rechercher un dossier' }).getAttribute('placeholder'), 'Recherchez ici...');

    await button(page, 'Suivant').click();
    await text(page, 'Rangées 11 - 12 de 12 enregistrements').waitFor();
    const file = fileRow(page, 'Construction Beauséjour ltée');
    await file.getByText(employer.form.file_number, { exact: true }).waitFor();
    await file.getByText("Gestion de la main-d'œuvre", { exact: true }).waitFor();
    await file.getByText('Rapport mensuel', { exact: true }).waitFor();
    await file.getByText('Consultation', { exact: true }).waitFor();
    await file.getByText('Accordée', { exact: true }).waitFor();
    assert.ok(await button(page, 'Suivant').isDisabled(), 'no page after the last one');

    // The address keeps the list: a reload shows the same page, back shows the previous one.
    await page.reload();
    await text(page, 'Rangées 11 - 12 de 12 enregistrements').waitFor();
    await page.goBack();
    await text(page, 'Rangées 1 - 10 de 12 enregistrements').waitFor();
    await label(page, 'Page').fill('2');
    await button(page, 'Aller').click();
    await text(page, 'Rangées 11 - 12 de 12 enregistrements').waitFor();
    await button(page, 'Précédent').click();
    await text(page, 'Rangées 1 - 10 de 12 enregistrements').waitFor();

    // The search ignores accents and case, and the export keeps the filters.
    await page.getByRole('searchbox', { name: 'Rechercher un dossier' }).fill('BEAUSEJOUR');
    await text(page, 'Rangées 1 - 1 de 1 enregistrements').waitFor();
    const exportHref = await page.getByRole('link', { name: 'Exporter (CSV)', exact: true }).getAttribute('href');
    assert.equal(new URL(exportHref, app.baseUrl).searchParams.get('q'), 'BEAUSEJOUR', `the export keeps the search: ${exportHref}`);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'BEAUSEJOUR', 'the search is in the address');

    // The file: its services, usable or not; the monthly report opens.
    await page.getByRole('link', { name: 'Construction Beauséjour ltée', exact: true }).click();
    await heading(page, 'Construction Beauséjour ltée').waitFor();
    await page.getByText(`Numéro d'employeur : ${employer.form.file_number}`, { exact: true }).waitFor();
    const service = (name) => page.locator('li.service', { has: page.getByRole('heading', { name, exact: true }) });
    await service('Rapport mensuel').getByText('Autorisé', { exact: true }).waitFor();
    await service("Gestion de la main-d'œuvre").getByText('Autorisé', { exact: true }).waitFor();
    await service('Identification de chantier').getByText('Non autorisé', { exact: true }).waitFor();
    await service("Lettre d'état de situation").getByText('Non autorisé', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Ouvrir le rapport mensuel', exact: true }).click();
    await heading(page, 'Rapport mensuel').waitFor();
    await page.getByText('Construction Beauséjour ltée', { exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Lignes du rapport', exact: true }).waitFor();
    const reportUrl = page.url();

    // The employer changes the level and sets an end date, then revokes after a confirmation.
    const endsOn = `${new Date().getUTCFullYear() + 1}-12-31`;
    await button(boss, 'Gérer Marc Tremblay').click();
    const manage = boss.locator('form.manage');
    await label(manage, 'Consultation et transmission').check();
    await label(manage, 'Date de fin (facultative)').fill(endsOn);
    await button(manage, 'Enregistrer les modifications').click();
    await boss.getByText("L'autorisation de Marc Tremblay a été modifiée.", { exact: true }).waitFor();
    const changed = rowStartingWith(boss, 'Marc Tremblay');
    await changed.getByText('Consultation et transmission', { exact: true }).waitFor();
    await changed.locator(`time[datetime="${endsOn}"]`).waitFor();
    await button(boss, 'Gérer Marc Tremblay').click();
    await button(boss, 'Révoquer').click();
    await boss.getByText("Révoquer l'autorisation de Marc Tremblay (Cabinet Dupuis & associés)? Son accès à votre dossier prend fin immédiatement.", { exact: true }).waitFor();
    await button(boss, 'Confirmer la révocation').click();
    await boss.getByText("L'autorisation de Marc Tremblay a été révoquée.", { exact: true }).waitFor();
    const authorizations = boss.locator('#panel-authorizations');
    await text(authorizations, 'Aucun enregistrement').waitFor();
    await label(authorizations, 'Statut').selectOption({ label: 'Révoquées' });
    await rowStartingWith(boss, 'Marc Tremblay').getByText('Révoquée', { exact: true }).waitFor();

    // The contact's next load: the report and the file are gone, and so is the row.
    await page.reload();
    await page.getByText("Ce dossier n'est pas (ou plus) accessible.", { exact: true }).waitFor();
    assert.equal(page.url(), reportUrl);
    await page.goBack();
    await page.reload();
    await page.getByText("Ce dossier n'est pas (ou plus) accessible.", { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Retour à Mes dossiers autorisés', exact: true }).click();
    await heading(page, 'Mes dossiers autorisés').waitFor();
    await text(page, 'Rangées 1 - 11 de 11 enregistrements').waitFor();
    await page.getByRole('searchbox', { name: 'Rechercher un dossier' }).fill('beauséjour');
    await page.keyboard.press('Enter');
    await text(page, 'Aucun enregistrement').waitFor();
    await page.getByText('Aucun dossier ne correspond à votre recherche.', { exact: true }).waitFor();
  } finally {
    await employerBrowser.close();
    await contactBrowser.close();
  }
});

test('"Relation client manquante?" leads a firm contact to an access request, which the employer approves in the page and which then opens the file', async () => {
  const { member } = await firmWithMember({ firmName: 'Comptables Lévesque', first_name: 'Nadia', last_name: 'Bélanger' });
  const employer = await employerWithResponsible({ name: 'Toitures Saint-Laurent inc.', first_name: 'Hélène', last_name: 'Roy', postal_code: 'G1K 3X2' });

  const contactBrowser = await openBrowser(browser);
  const employerBrowser = await openBrowser(browser);
  try {
    const page = contactBrowser.page;
    await logIn(page, app.baseUrl, member.email, { firstName: 'Nadia' });
    await page.goto(`${app.baseUrl}/files`);
    await page.getByText('Aucun employeur ne vous a encore autorisé sur son dossier.', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Relation client manquante?', exact: true }).click();
    await heading(page, "Demande d'accès à un dossier d'employeur").waitFor();

    // Facts that match no employer are refused; the right ones reach the employer.
    await label(page, "Numéro de dossier de l'employeur").fill(employer.form.file_number);
    await label(page, 'Code postal au dossier').fill('H0H 0H0');
    await label(page, 'Rapport mensuel').check();
    await button(page, 'Envoyer la demande').click();
    await page.locator('#access-form [role="alert"]').filter({ hasText: /\S/ }).waitFor();
    await label(page, 'Code postal au dossier').fill('g1k 3x2');
    await label(page, 'Message (facultatif)').fill('Mandat de tenue de livres 2026');
    await button(page, 'Envoyer la demande').click();
    await page.getByText(`Votre demande a été transmise à Toitures Saint-Laurent inc. (${employer.form.file_number}).`, { exact: true }).waitFor();
    const request = rowStartingWith(page, 'Toitures Saint-Laurent inc.');
    await request.getByText('En attente', { exact: true }).waitFor();

    // The employer approves with a second service added.
    const boss = employerBrowser.page;
    await logIn(boss, app.baseUrl, employer.email, { firstName: 'Hélène' });
    await boss.goto(`${app.baseUrl}/employer`);
    await boss.getByRole('tab', { name: /^Demandes d'accès/ }).click();
    const pending = rowStartingWith(boss, 'Nadia Bélanger');
    await pending.getByText('Mandat de tenue de livres 2026', { exact: true }).waitFor();
    await button(boss, 'Répondre Nadia Bélanger').click();
    const approve = boss.locator('form[data-slot="approve"]');
    assert.ok(await label(approve, 'Rapport mensuel').isChecked(), 'the services requested are proposed');
    await label(approve, "Lettre d'état de situation").check();
    await button(approve, 'Approuver la demande').click();
    await boss.getByText("La demande de Nadia Bélanger est approuvée : l'autorisation est en vigueur.", { exact: true }).waitFor();
    await boss.getByText("Aucune demande d'accès en attente.", { exact: true }).waitFor();
    await boss.getByRole('tab', { name: 'Autorisations', exact: true }).click();
    await rowStartingWith(boss, 'Nadia Bélanger').getByText("Lettre d'état de situation", { exact: true }).waitFor();

    // The contact: the request approved, the file listed.
    await page.reload();
    await rowStartingWith(page, 'Toitures Saint-Laurent inc.').getByText('Approuvée', { exact: true }).waitFor();
    await page.goto(`${app.baseUrl}/files`);
    await text(page, 'Rangées 1 - 1 de 1 enregistrements').waitFor();
    // The report filter: last month's report is not transmitted, so « Transmis » empties the list.
    await label(page, 'Rapport du mois dernier').selectOption({ label: 'Transmis' });
    await page.getByText('Aucun dossier ne correspond à votre recherche.', { exact: true }).waitFor();
    assert.match(page.url(), /report_standing=transmitted/);
    await label(page, 'Rapport du mois dernier').selectOption({ label: 'Tous les rapports' });
    await text(page, 'Rangées 1 - 1 de 1 enregistrements').waitFor();
    await page.getByRole('link', { name: 'Toitures Saint-Laurent inc.', exact: true }).click();
    await page.getByRole('link', { name: 'Ouvrir le rapport mensuel', exact: true }).waitFor();
  } finally {
    await contactBrowser.close();
    await employerBrowser.close();
  }
});

test("an employer's member may use the authorizations page only once the responsable ticks « Peut gérer les autorisations » in Mon organisation", async () => {
  const employer = await employerWithResponsible({ name: 'Excavation Gagnon', first_name: 'Louise', last_name: 'Gagnon' });
  const member = await linkedMember(app, employer.client, { first_name: 'Éric', last_name: 'Fortin', email: emailFor('Éric') });

  const memberBrowser = await openBrowser(browser);
  const bossBrowser = await openBrowser(browser);
  try {
    const page = memberBrowser.page;
    await logIn(page, app.baseUrl, member.email, { firstName: 'Éric' });
    assert.equal(await menu(page).getByRole('link', { name: 'Autorisations (employeur)' }).count(), 0, 'a plain member has no employer menu entry');
    await page.goto(`${app.baseUrl}/employer`);
    await page.getByText("Seuls le responsable de l'entreprise et les contacts qu'il a désignés peuvent gérer les autorisations. Adressez-vous au responsable.", { exact: true }).waitFor();
    assert.equal(await button(page, 'Nouvelle autorisation').isVisible(), false, 'a plain member cannot grant');

    const boss = bossBrowser.page;
    await logIn(boss, app.baseUrl, employer.email, { firstName: 'Louise' });
    await menu(boss).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(boss, 'Excavation Gagnon').waitFor();
    await button(boss, 'Gérer Éric Fortin').click();
    const manage = boss.locator('form.manage');
    await label(manage, 'Peut gérer les autorisations').check();
    await button(manage, 'Enregistrer ce droit').click();
    await boss.getByText('Éric Fortin peut maintenant gérer les autorisations.', { exact: true }).waitFor();
    await rowStartingWith(boss, 'Éric Fortin').getByText('Gère les autorisations', { exact: true }).waitFor();

    // An administrator of authorizations acts with a second factor: the member is led to set one up.
    await page.reload();
    await enrolWhenLed(page, member.email);
    await page.goto(`${app.baseUrl}/employer`);
    await heading(page, 'Autorisations').waitFor();
    await menu(page).getByRole('link', { name: 'Autorisations (employeur)', exact: true }).waitFor();
    await button(page, 'Nouvelle autorisation').waitFor();
    await text(page.locator('#panel-authorizations'), 'Aucun enregistrement').waitFor();
  } finally {
    await memberBrowser.close();
    await bossBrowser.close();
  }
});
