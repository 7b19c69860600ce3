// The words of webhooks, shared by "Mon organisation › Webhooks", the endpoint page and the
// events fieldset of blocks.js: the event types an endpoint may ask for (as the API lists them,
// src/webhooks/events.rs), grouped as the form shows them, and the states of endpoints and of
// deliveries. Data only: no import, so blocks.js can use it.

export const EVENT_GROUPS = [
  {
    key: 'webhooks.group.authorization',
    types: ['authorization.granted', 'authorization.changed', 'authorization.revoked', 'authorization.expiring', 'authorization.expired'],
  },
  { key: 'webhooks.group.contact', types: ['contact.linked', 'contact.revoked'] },
  { key: 'webhooks.group.access_request', types: ['access_request.created', 'access_request.answered'] },
  { key: 'webhooks.group.monthly_report', types: ['monthly_report.transmitted', 'monthly_report.corrected'] },
];

export const EVENT_TYPES = EVENT_GROUPS.flatMap((group) => group.types);

export const EVENT_KEYS = Object.fromEntries(EVENT_TYPES.map((type) => [type, `webhooks.event.${type}`]));

/** The words of every event a delivery log may show: the types above and the test event. */
export const LOGGED_EVENT_KEYS = { ...EVENT_KEYS, 'webhook.test': 'webhook.event_test' };

export const ENDPOINT_STATUS_KEYS = { active: 'webhooks.state.active', disabled: 'webhooks.state.disabled' };

/** Why an endpoint is disabled: the receiver answered 410, a delivery exhausted its retries, or a responsable paused it. */
export const DISABLED_REASON_KEYS = { gone: 'webhooks.reason.gone', failing: 'webhooks.reason.failing', manual: 'webhooks.reason.manual' };

export const DELIVERY_STATUS_KEYS = {
  pending: 'webhook.delivery.pending',
  succeeded: 'webhook.delivery.succeeded',
  failed: 'webhook.delivery.failed',
};

/** Why an attempt failed (the API's error_kind); the API's error text is the English detail. */
export const FAILURE_KEYS = Object.fromEntries(
  ['status', 'redirect', 'gone', 'timeout', 'dns', 'connect', 'tls', 'unreachable', 'address_not_allowed', 'secret_unreadable', 'request_invalid']
    .map((kind) => [kind, `webhook.failure.${kind}`]),
);
