// The API as the tests call it: one named method per operation of public/api/openapi.json. Each
// method declares its operation ('METHOD /path/{param}', as the document writes it) in its body;
// tests/e2e/api_client.test.mjs fails when an operation of the document has no method here (or a
// method names an operation the document does not have), so a new route cannot be forgotten.
//
// Arguments: the path parameters in order, then the body (writes) or the query parameters (reads,
// an object whose undefined members are left out), then the options of `request` (headers…).
// Every method resolves to the answer as `request` reads it: {status, headers, body, text}.
// `Api` only names the operations; `Client` (client.mjs) sends them like a browser does.

/** The query string of an object, leaving out undefined and null values ('' when none is left). */
export function query(params = {}) {
  const entries = Object.entries(params ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
}

/** The path of an operation ('METHOD /a/{id}/b') with its parameters filled in, in order. */
export function pathOf(operation, params = []) {
  let next = 0;
  return operation.slice(operation.indexOf(' ') + 1).replace(/\{[^}]+\}/g, () => encodeURIComponent(String(params[next++])));
}

export class Api {
  /** A GET: `params` fill the path, `search` is the query string's object. */
  read(operation, params, search, options = {}) {
    return this.request(operation.slice(0, operation.indexOf(' ')), pathOf(operation, params) + query(search), options);
  }

  /** A POST, PUT, PATCH or DELETE: `params` fill the path, `body` (unless undefined) is sent as JSON. */
  write(operation, params, body, options = {}) {
    return this.request(operation.slice(0, operation.indexOf(' ')), pathOf(operation, params), { ...options, json: body });
  }

  // --- Service -----------------------------------------------------------------------------------
  health(search, options) { return this.read('GET /api/health', [], search, options); }
  openapiDocument(search, options) { return this.read('GET /api/openapi.json', [], search, options); }

  // --- Signup, sign-in, password reset -------------------------------------------------------------
  validateSignup(fields, options) { return this.write('POST /api/signup/validate', [], fields, options); }
  signUp(fields, options) { return this.write('POST /api/signup', [], fields, options); }
  verify(verification_id, code, options) { return this.write('POST /api/signup/verify', [], { verification_id, code }, options); }
  resend(verification_id, options) { return this.write('POST /api/signup/resend', [], { verification_id }, options); }
  /** Signs in with a password (`Client.logIn` also answers the second-factor challenge). */
  logIn(email, password, options) { return this.write('POST /api/session', [], { email, password }, options); }
  logOut(body, options) { return this.write('DELETE /api/session', [], body, options); }
  answerChallenge(body, options) { return this.write('POST /api/session/mfa', [], body, options); }
  stepUp(body, options) { return this.write('POST /api/session/step-up', [], body, options); }
  selectProfile(profile_id, options) { return this.write('PUT /api/session/profile', [], { profile_id }, options); }
  passkeySignInOptions(body, options) { return this.write('POST /api/session/passkey/options', [], body, options); }
  passkeySignIn(body, options) { return this.write('POST /api/session/passkey', [], body, options); }
  passkeyChallengeOptions(body, options) { return this.write('POST /api/session/mfa/passkey/options', [], body, options); }
  passkeyStepUpOptions(body, options) { return this.write('POST /api/session/step-up/passkey/options', [], body, options); }
  forgotPassword(email, options) { return this.write('POST /api/password/forgot', [], { email }, options); }
  resetPassword(reset_id, code, new_password, new_password_confirmation = new_password, options = undefined) {
    return this.write('POST /api/password/reset', [], { reset_id, code, new_password, new_password_confirmation }, options);
  }

  // --- One's account -------------------------------------------------------------------------------
  me(search, options) { return this.read('GET /api/me', [], search, options); }
  updateMe(body, options) { return this.write('PATCH /api/me', [], body, options); }
  closeAccount(body, options) { return this.write('DELETE /api/me', [], body, options); }
  changePassword(body, options) { return this.write('POST /api/me/password', [], body, options); }
  changeEmail(body, options) { return this.write('POST /api/me/email', [], body, options); }
  confirmEmail(body, options) { return this.write('POST /api/me/email/confirm', [], body, options); }
  sessions(search, options) { return this.read('GET /api/me/sessions', [], search, options); }
  endOtherSessions(body, options) { return this.write('DELETE /api/me/sessions', [], body, options); }
  endSession(id, body, options) { return this.write('DELETE /api/me/sessions/{id}', [id], body, options); }
  activity(search, options) { return this.read('GET /api/me/activity', [], search, options); }
  myRequests(search, options) { return this.read('GET /api/me/requests', [], search, options); }
  exportMyData(search, options) { return this.read('GET /api/me/export', [], search, options); }
  mfa(search, options) { return this.read('GET /api/me/mfa', [], search, options); }
  startTotp(body, options) { return this.write('POST /api/me/mfa/totp', [], body, options); }
  confirmTotp(body, options) { return this.write('POST /api/me/mfa/totp/confirm', [], body, options); }
  removeTotp(body, options) { return this.write('DELETE /api/me/mfa/totp', [], body, options); }
  renewRecoveryCodes(body, options) { return this.write('POST /api/me/mfa/recovery-codes', [], body, options); }
  passkeys(search, options) { return this.read('GET /api/me/passkeys', [], search, options); }
  passkeyCreationOptions(body, options) { return this.write('POST /api/me/passkeys/options', [], body, options); }
  addPasskey(body, options) { return this.write('POST /api/me/passkeys', [], body, options); }
  renamePasskey(id, body, options) { return this.write('PATCH /api/me/passkeys/{id}', [id], body, options); }
  removePasskey(id, body, options) { return this.write('DELETE /api/me/passkeys/{id}', [id], body, options); }

  // --- Links and profiles --------------------------------------------------------------------------
  linkWithCredentials(body, options) { return this.write('POST /api/links/credentials', [], body, options); }
  linkWithLegacy(body, options) { return this.write('POST /api/links/legacy', [], body, options); }
  linkWithKnownFacts(body, options) { return this.write('POST /api/links/known-facts', [], body, options); }
  profiles(search, options) { return this.read('GET /api/profiles', [], search, options); }

  // --- The active profile's organisation -----------------------------------------------------------
  organisation(search, options) { return this.read('GET /api/organisation', [], search, options); }
  organisationSecurity(search, options) { return this.read('GET /api/organisation/security', [], search, options); }
  setOrganisationSecurity(body, options) { return this.write('PUT /api/organisation/security', [], body, options); }
  members(search, options) { return this.read('GET /api/organisation/members', [], search, options); }
  inviteMember(body, options) { return this.write('POST /api/organisation/members', [], body, options); }
  member(id, search, options) { return this.read('GET /api/organisation/members/{id}', [id], search, options); }
  updateMember(id, body, options) { return this.write('PATCH /api/organisation/members/{id}', [id], body, options); }
  revokeMember(id, body, options) { return this.write('DELETE /api/organisation/members/{id}', [id], body, options); }
  reissueLinkCredentials(id, body, options) { return this.write('POST /api/organisation/members/{id}/link-credentials', [id], body, options); }
  unlockMemberLegacy(id, body, options) { return this.write('POST /api/organisation/members/{id}/legacy-unlock', [id], body, options); }
  audit(search, options) { return this.read('GET /api/organisation/audit', [], search, options); }
  auditCsv(search, options) { return this.read('GET /api/organisation/audit.csv', [], search, options); }
  webhooks(search, options) { return this.read('GET /api/organisation/webhooks', [], search, options); }
  createWebhook(body, options) { return this.write('POST /api/organisation/webhooks', [], body, options); }
  webhook(id, search, options) { return this.read('GET /api/organisation/webhooks/{id}', [id], search, options); }
  updateWebhook(id, body, options) { return this.write('PATCH /api/organisation/webhooks/{id}', [id], body, options); }
  deleteWebhook(id, body, options) { return this.write('DELETE /api/organisation/webhooks/{id}', [id], body, options); }
  rotateWebhookSecret(id, body, options) { return this.write('POST /api/organisation/webhooks/{id}/rotate-secret', [id], body, options); }
  testWebhook(id, body, options) { return this.write('POST /api/organisation/webhooks/{id}/test', [id], body, options); }
  webhookDeliveries(id, search, options) { return this.read('GET /api/organisation/webhooks/{id}/deliveries', [id], search, options); }
  replayDelivery(id, body, options) { return this.write('POST /api/organisation/webhooks/deliveries/{id}/replay', [id], body, options); }
  tokens(search, options) { return this.read('GET /api/organisation/tokens', [], search, options); }
  createToken(body, options) { return this.write('POST /api/organisation/tokens', [], body, options); }
  revokeToken(id, body, options) { return this.write('DELETE /api/organisation/tokens/{id}', [id], body, options); }

  // --- A firm's contact: authorized files, access requests, monthly reports ------------------------
  authorizedFiles(search, options) { return this.read('GET /api/authorized-files', [], search, options); }
  authorizedFilesCsv(search, options) { return this.read('GET /api/authorized-files.csv', [], search, options); }
  authorizedFile(id, search, options) { return this.read('GET /api/authorized-files/{id}', [id], search, options); }
  fileReportSummary(id, search, options) { return this.read('GET /api/authorized-files/{id}/monthly-report', [id], search, options); }
  fileReports(id, search, options) { return this.read('GET /api/authorized-files/{id}/monthly-reports', [id], search, options); }
  fileReport(id, month, search, options) { return this.read('GET /api/authorized-files/{id}/monthly-reports/{month}', [id, month], search, options); }
  saveFileReport(id, month, body, options) { return this.write('PUT /api/authorized-files/{id}/monthly-reports/{month}', [id, month], body, options); }
  importFileReport(id, month, body, options) { return this.write('POST /api/authorized-files/{id}/monthly-reports/{month}/import', [id, month], body, options); }
  transmitFileReport(id, month, body, options) { return this.write('POST /api/authorized-files/{id}/monthly-reports/{month}/transmit', [id, month], body, options); }
  correctFileReport(id, month, body, options) { return this.write('POST /api/authorized-files/{id}/monthly-reports/{month}/correct', [id, month], body, options); }
  accessRequests(search, options) { return this.read('GET /api/access-requests', [], search, options); }
  requestAccess(body, options) { return this.write('POST /api/access-requests', [], body, options); }
  cancelAccessRequest(id, body, options) { return this.write('DELETE /api/access-requests/{id}', [id], body, options); }
  monthlyReportLists(search, options) { return this.read('GET /api/monthly-reports/lists', [], search, options); }

  // --- An employer: authorizations, access requests, monthly reports -------------------------------
  authorizations(search, options) { return this.read('GET /api/employer/authorizations', [], search, options); }
  grantAuthorization(body, options) { return this.write('POST /api/employer/authorizations', [], body, options); }
  authorization(id, search, options) { return this.read('GET /api/employer/authorizations/{id}', [id], search, options); }
  updateAuthorization(id, body, options) { return this.write('PATCH /api/employer/authorizations/{id}', [id], body, options); }
  revokeAuthorization(id, body, options) { return this.write('DELETE /api/employer/authorizations/{id}', [id], body, options); }
  confirmAuthorization(id, body, options) { return this.write('POST /api/employer/authorizations/{id}/confirm', [id], body, options); }
  reviewMigratedRelations(body, options) { return this.write('POST /api/employer/migrated-relations/review', [], body, options); }
  employerAccessRequests(search, options) { return this.read('GET /api/employer/access-requests', [], search, options); }
  approveAccessRequest(id, body, options) { return this.write('POST /api/employer/access-requests/{id}/approve', [id], body, options); }
  declineAccessRequest(id, body, options) { return this.write('POST /api/employer/access-requests/{id}/decline', [id], body, options); }
  employerReports(search, options) { return this.read('GET /api/employer/monthly-reports', [], search, options); }
  employerReport(month, search, options) { return this.read('GET /api/employer/monthly-reports/{month}', [month], search, options); }
  saveEmployerReport(month, body, options) { return this.write('PUT /api/employer/monthly-reports/{month}', [month], body, options); }
  importEmployerReport(month, body, options) { return this.write('POST /api/employer/monthly-reports/{month}/import', [month], body, options); }
  transmitEmployerReport(month, body, options) { return this.write('POST /api/employer/monthly-reports/{month}/transmit', [month], body, options); }
  correctEmployerReport(month, body, options) { return this.write('POST /api/employer/monthly-reports/{month}/correct', [month], body, options); }

  // --- Operator (with an operator token: `operatorClient` in orgs.mjs) ----------------------------
  operatorCreateOrganisation(body, options) { return this.write('POST /api/operator/organisations', [], body, options); }
  operatorImportLegacyCredentials(body, options) { return this.write('POST /api/operator/legacy-credentials', [], body, options); }
  operatorUnlockLegacy(username, body, options) { return this.write('POST /api/operator/legacy-credentials/{username}/unlock', [username], body, options); }
  operatorMigrate(body, options) { return this.write('POST /api/operator/migrations', [], body, options); }
  operatorMigration(id, search, options) { return this.read('GET /api/operator/migrations/{id}', [id], search, options); }
  operatorUnmigratedRelations(search, options) { return this.read('GET /api/operator/unmigrated-relations', [], search, options); }

  // --- Development only (404 in production) --------------------------------------------------------
  devMailbox(search, options) { return this.read('GET /dev/mailbox', [], search, options); }
  devMailboxPage(search, options) { return this.read('GET /dev/mailbox/', [], search, options); }
  devClock(body, options) { return this.write('POST /dev/clock', [], body, options); }
  devDeadLetters(search, options) { return this.read('GET /dev/dead-letters', [], search, options); }
  devEmailQueue(body, options) { return this.write('POST /dev/queues/email', [], body, options); }
  devJobs(search, options) { return this.read('GET /dev/jobs', [], search, options); }
}
