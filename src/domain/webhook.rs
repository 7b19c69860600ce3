//! An outgoing webhook endpoint's state.

text_enum! {
    /// Whether deliveries go out to an endpoint: active, or disabled (paused by a responsable, or
    /// by the portal after failing for too long; deliveries wait until it is active again).
    pub enum EndpointStatus {
        Active = "active",
        Disabled = "disabled",
    }
}
