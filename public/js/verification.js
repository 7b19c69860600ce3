// What the code-entry page needs to know about a pending email verification, kept for the tab
// (sessionStorage): the address to show and when the code may be sent again. The verification id
// itself travels in the page address (/verify?id=…).

const EMAIL_KEY = 'sel.verify.email';
const RESEND_KEY_PREFIX = 'sel.verify.resend_until.';
export const DEFAULT_RESEND_AFTER_SECONDS = 60;

function read(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    // Storage refused (private browsing): the page falls back to its defaults.
  }
}

/** Remembers a verification that just started, then returns the code-entry page's address. */
export function startVerification(verificationId, email, resendAfterSeconds = DEFAULT_RESEND_AFTER_SECONDS) {
  write(EMAIL_KEY, email);
  setResendAfter(verificationId, resendAfterSeconds);
  return `/verify?id=${encodeURIComponent(verificationId)}`;
}

export function verificationEmail() {
  return read(EMAIL_KEY);
}

/** Epoch ms before which the code cannot be resent; set to the default on a first visit. */
export function resendUntil(verificationId) {
  const stored = Number(read(RESEND_KEY_PREFIX + verificationId));
  if (Number.isFinite(stored) && stored > 0) return stored;
  return setResendAfter(verificationId, DEFAULT_RESEND_AFTER_SECONDS);
}

export function setResendAfter(verificationId, seconds) {
  const wait = Number.isFinite(Number(seconds)) ? Number(seconds) : DEFAULT_RESEND_AFTER_SECONDS;
  const until = Date.now() + wait * 1000;
  write(RESEND_KEY_PREFIX + verificationId, String(until));
  return until;
}

export function forgetVerification(verificationId) {
  try {
    sessionStorage.removeItem(EMAIL_KEY);
    sessionStorage.removeItem(RESEND_KEY_PREFIX + verificationId);
  } catch {
    // Nothing to forget when storage is unavailable.
  }
}
