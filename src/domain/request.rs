//! The requests a person made, as "Mes demandes" lists them: their kinds and states.

text_enum! {
    /// An access request to an employer, a linking request by known facts, or a monthly report
    /// the person transmitted.
    pub enum RequestKind {
        AccessRequest = "access_request",
        LinkRequest = "link_request",
        MonthlyReport = "monthly_report",
    }
}

text_enum! {
    /// Where a request stands, whatever its kind: an access request's status (expired once past
    /// its expiry while pending), a linking request's (sent, linked once the person is linked to
    /// an organisation of that number, or expired), or the transmitted report version's.
    pub enum RequestStatus {
        Pending = "pending",
        Approved = "approved",
        Declined = "declined",
        Cancelled = "cancelled",
        Expired = "expired",
        Sent = "sent",
        Linked = "linked",
        Transmitted = "transmitted",
        Superseded = "superseded",
    }
}
