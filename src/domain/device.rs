//! An approximate device from a `User-Agent` header: the browser and the system, short enough
//! to store with a session and to show in "Mon compte" (never the raw header, which a client
//! chooses freely and may fill with anything).

use super::authorization::DAY;
use super::session::SessionToken;
use super::{Entropy, Millis};

/// The longest label stored.
pub const MAX_LABEL_CHARS: usize = 40;

/// The cookie that recognises a browser across sign-ins (a new one emails the account's owner).
pub const DEVICE_COOKIE: &str = "__Host-sel_device";
/// 400 days, the longest a browser keeps a cookie.
pub const COOKIE_LIFETIME: Millis = 400 * DAY;

/// A browser's random identifier: 256 bits like a session token, only its SHA-256 stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceToken(SessionToken);

impl DeviceToken {
    pub fn generate(entropy: &mut dyn Entropy) -> DeviceToken {
        DeviceToken(SessionToken::generate(entropy))
    }

    /// Anything but 64 lower-case hex digits is no device token.
    pub fn parse(raw: &str) -> Option<DeviceToken> {
        SessionToken::parse(raw).map(DeviceToken)
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    pub fn hash(&self) -> String {
        self.0.hash()
    }
}

/// What a new-device email says of the address: the /24 of an IPv4 address, the /48 of an IPv6
/// one; enough to recognise one's own network, not a precise location. `None` when no address
/// parses.
pub fn coarse_ip(ip: &str) -> Option<String> {
    match ip.trim().parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.0/24"))
        }
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => coarse_ip(&v4.to_string()),
            None => {
                let s = v6.segments();
                Some(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]))
            }
        },
    }
}

/// "Firefox · Windows", "Safari · iOS", "Chrome", or `None` when neither part is recognised.
pub fn label(user_agent: &str) -> Option<String> {
    let browser = browser(user_agent);
    let system = system(user_agent);
    let label = match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => return None,
    };
    Some(label.chars().take(MAX_LABEL_CHARS).collect())
}

/// The browser, checked in an order where a token that others copy comes last (every Chromium
/// browser also says "Chrome" and "Safari").
fn browser(ua: &str) -> Option<&'static str> {
    const BROWSERS: [(&str, &str); 10] = [
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    first_named(ua, &BROWSERS)
}

/// The name of the first token of `table` found in `ua`.
fn first_named(ua: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    table
        .iter()
        .find(|(token, _)| ua.contains(token))
        .map(|(_, name)| *name)
}

fn system(ua: &str) -> Option<&'static str> {
    const SYSTEMS: [(&str, &str); 8] = [
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ];
    first_named(ua, &SYSTEMS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let cases = [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Edge · Windows"),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox · Linux"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari · iOS"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "Chrome · macOS"),
            ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", "Chrome · Android"),
        ];
        for (ua, expected) in cases {
            assert_eq!(label(ua).as_deref(), Some(expected), "{ua}");
        }
    }

    #[test]
    fn an_address_is_told_only_by_its_network() {
        assert_eq!(coarse_ip("203.0.113.77").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(
            coarse_ip("2001:db8:1:2::1").as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_eq!(
            coarse_ip("::ffff:198.51.100.9").as_deref(),
            Some("198.51.100.0/24")
        );
        assert_eq!(coarse_ip("not an address"), None);
    }

    #[test]
    fn a_device_token_is_sixty_four_hex_digits() {
        let token = DeviceToken::generate(&mut crate::domain::testing::FixedEntropy::new(&[0x5A]));
        assert_eq!(DeviceToken::parse(token.expose()), Some(token.clone()));
        assert_ne!(token.hash(), token.expose());
        assert_eq!(DeviceToken::parse("abc"), None);
    }

    #[test]
    fn an_unknown_agent_has_no_label() {
        assert_eq!(label(""), None);
        assert_eq!(label("node"), None);
    }

    #[test]
    fn the_label_never_repeats_what_the_client_wrote() {
        let hostile = format!("curl/8 {}", "<script>".repeat(1000));
        assert_eq!(label(&hostile).as_deref(), Some("curl"));
        assert!(label(&hostile).unwrap().chars().count() <= MAX_LABEL_CHARS);
    }
}
