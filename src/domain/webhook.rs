//! The states of outgoing webhook endpoints, their deliveries and their failed attempts.

text_enum! {
    /// Whether deliveries go out to an endpoint: active, or disabled (paused by a responsable, or
    /// by the portal after failing for too long; deliveries wait until it is active again).
    pub enum EndpointStatus {
        Active = "active",
        Disabled = "disabled",
    }
}

text_enum! {
    /// Where a delivery stands: pending (an attempt is due, or a retry is scheduled), succeeded,
    /// or failed (the receiver answered 410 Gone, or the retries ran out).
    pub enum DeliveryStatus {
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

text_enum! {
    /// Why an endpoint is disabled: the receiver answered 410 Gone, its deliveries kept failing
    /// until the retries ran out, or a responsable paused it.
    pub enum DisabledReason {
        Gone = "gone",
        Failing = "failing",
        Manual = "manual",
    }
}

text_enum! {
    /// Why an attempt failed, as a code the delivery log gives the UI to say in its language.
    pub enum Failure {
        /// The receiver answered an error status.
        Status = "status",
        /// The receiver answered a redirect, which is never followed.
        Redirect = "redirect",
        /// 410 Gone.
        Gone = "gone",
        /// No answer within the attempt's timeout.
        Timeout = "timeout",
        /// The receiver's name did not resolve.
        Dns = "dns",
        /// No connection to the receiver (refused, reset, lost).
        Connect = "connect",
        /// The TLS handshake failed (certificate not trusted, expired, for another name…).
        Tls = "tls",
        /// The request failed in a way the platform did not say more about.
        Unreachable = "unreachable",
        /// The address became one deliveries may not go to (SSRF guard).
        AddressNotAllowed = "address_not_allowed",
        /// The endpoint's signing secret could not be decrypted.
        SecretUnreadable = "secret_unreadable",
        /// The request could not be built.
        RequestInvalid = "request_invalid",
    }
}
