//! The parts of a request's URL the portal reads (origin, host, query parameters), taken from the
//! URL as the runtime hands it over: already parsed and serialized by the WHATWG standard (scheme
//! and host in lower case, default port dropped, host in ASCII), so it needs no second parse, and
//! the wasm no URL parser.

/// The authority (`host[:port]`, without any credentials) and what follows it.
fn split(url: &str) -> (&str, &str, &str) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    (scheme, host_and_port, tail)
}

/// `scheme://host[:port]`, as `Origin` headers write it.
pub fn origin(url: &str) -> String {
    let (scheme, host_and_port, _) = split(url);
    format!("{scheme}://{host_and_port}")
}

/// The host, without the port (an IPv6 address keeps its brackets).
pub fn host(url: &str) -> &str {
    let (_, host_and_port, _) = split(url);
    match host_and_port.find(']') {
        Some(end) if host_and_port.starts_with('[') => &host_and_port[..=end],
        _ => host_and_port.split(':').next().unwrap_or_default(),
    }
}

/// The first value of the query parameter `name`, decoded as a form does (`+` is a space, `%XX`
/// a byte, invalid UTF-8 replaced).
pub fn query(url: &str, name: &str) -> Option<String> {
    let (_, _, tail) = split(url);
    let query = tail.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(key, _)| form_decode(key) == name)
        .map(|(_, value)| form_decode(value))
}

fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        match bytes[i] {
            b'+' => decoded.push(b' '),
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => {
                    decoded.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => decoded.push(b'%'),
            },
            byte => decoded.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_scheme_host_and_port_without_credentials_or_path() {
        for (url, expected) in [
            ("https://sel.example/api/me?x=1", "https://sel.example"),
            ("http://127.0.0.1:8787/api", "http://127.0.0.1:8787"),
            ("http://[::1]:8787/", "http://[::1]:8787"),
            ("https://sel.example", "https://sel.example"),
            ("https://user:pw@sel.example/", "https://sel.example"),
            ("https://sel.example?q=1", "https://sel.example"),
        ] {
            assert_eq!(origin(url), expected, "{url}");
        }
    }

    #[test]
    fn the_host_leaves_out_the_port_and_keeps_ipv6_brackets() {
        for (url, expected) in [
            ("https://sel.example/api", "sel.example"),
            ("http://127.0.0.1:8787/api", "127.0.0.1"),
            ("http://localhost:8787", "localhost"),
            ("http://[::1]:8787/", "[::1]"),
            ("http://[::1]/", "[::1]"),
        ] {
            assert_eq!(host(url), expected, "{url}");
        }
    }

    #[test]
    fn a_query_parameter_is_decoded_as_a_form_and_the_first_one_wins() {
        let url =
            "https://sel.example/api/files?q=caf%C3%A9+du+coin&page=2&page=3&empty=&flag#frag";
        assert_eq!(query(url, "q").as_deref(), Some("café du coin"));
        assert_eq!(query(url, "page").as_deref(), Some("2"));
        assert_eq!(query(url, "empty").as_deref(), Some(""));
        assert_eq!(query(url, "flag").as_deref(), Some(""));
        assert_eq!(query(url, "frag"), None);
        assert_eq!(query(url, "missing"), None);
        assert_eq!(query("https://sel.example/api", "q"), None);
        assert_eq!(
            query("https://sel.example/?a%20b=%zz%4", "a b").as_deref(),
            Some("%zz%4")
        );
        assert_eq!(
            query("https://sel.example/?bad=%FF", "bad").as_deref(),
            Some("\u{fffd}")
        );
    }
}
