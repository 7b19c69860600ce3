//! A person's account state.

text_enum! {
    /// Pending until the person proves the email address (only then can they log in), active after.
    pub enum UserStatus {
        Pending = "pending",
        Active = "active",
    }
}
