//! An approximate device from a `User-Agent` header: the browser and the system, short enough
//! to store with a session and to show in "Mon compte" (never the raw header, which a client
//! chooses freely and may fill with anything).

/// The longest label stored.
pub const MAX_LABEL_CHARS: usize = 40;

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
    BROWSERS
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
    SYSTEMS
        .iter()
        .find(|(token, _)| ua.contains(token))
        .map(|(_, name)| *name)
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
