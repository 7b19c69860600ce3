//! Where a webhook may be sent: the SSRF guard, checked when an endpoint is registered or changed
//! and again before every delivery. Production sends only over HTTPS to hosts on the public
//! internet; development also allows plain HTTP to this machine's loopback, for local receivers.

use crate::domain::fields::{has_hidden_characters, Problem};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Longer URLs are refused.
pub const MAX_URL_LENGTH: usize = 2048;

/// Names that only resolve inside a private network (or on this machine).
const PRIVATE_SUFFIXES: [&str; 8] = [
    "localhost",
    "local",
    "localdomain",
    "internal",
    "intranet",
    "lan",
    "home.arpa",
    "corp",
];

/// A URL a webhook may be sent to, normalised (lower-case host, default port dropped): HTTPS on
/// port 443 or 8443 of a public host (development: also any port of the loopback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    /// `development` also allows `http://` to 127.0.0.1, `localhost` and `[::1]`.
    pub fn parse(raw: &str, development: bool) -> Result<EndpointUrl, Problem> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Problem::Required);
        }
        if raw.len() > MAX_URL_LENGTH {
            return Err(Problem::TooLong);
        }
        if has_hidden_characters(raw) || raw.contains(char::is_whitespace) {
            return Err(Problem::InvalidUrl);
        }
        // International names are taken in their xn-- form only (as the native parser's ASCII-only
        // IDNA does; the runtime's would convert them).
        if !authority(raw).is_ascii() {
            return Err(Problem::InvalidUrl);
        }
        let url = imp::parse(raw).ok_or(Problem::InvalidUrl)?;
        if url.credentials {
            return Err(Problem::InvalidUrl);
        }
        let host = url.host.as_ref().ok_or(Problem::InvalidUrl)?;
        let loopback = match *host {
            Host::Ipv4(ip) if written_as(raw, &ip.to_string()) => ip.is_loopback(),
            Host::Ipv6(ip) => ip == Ipv6Addr::LOCALHOST,
            Host::Domain(ref name) => name.trim_end_matches('.') == "localhost",
            Host::Ipv4(_) => false,
        };
        match url.scheme.as_str() {
            "https" => {}
            "http" if development && loopback => {}
            "http" => return Err(Problem::HttpsRequired),
            _ => return Err(Problem::InvalidUrl),
        }
        let public = match *host {
            // An address in decimal, octal or hex notation, or percent-encoded, is a trick.
            Host::Ipv4(ip) => written_as(raw, &ip.to_string()) && is_public_v4(ip),
            Host::Ipv6(ip) => is_public_v6(ip),
            Host::Domain(ref name) => is_public_name(name),
        };
        let local_development = development && loopback;
        if !(public || local_development) {
            return Err(Problem::AddressNotAllowed);
        }
        // Receivers listen on the ports of HTTPS; any other port is more likely an internal service.
        let allowed_port = matches!(url.port, Some(443 | 8443));
        if !(allowed_port || local_development) {
            return Err(Problem::PortNotAllowed);
        }
        Ok(EndpointUrl(url.href))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The authority of `raw` as written (between the scheme's `://` and the path).
fn authority(raw: &str) -> &str {
    let after_scheme = raw.split_once("://").map_or(raw, |(_, rest)| rest);
    after_scheme
        .split(['/', '?', '#', '\\'])
        .next()
        .unwrap_or_default()
}

enum Host {
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    Domain(String),
}

/// A URL as the WHATWG URL standard parses it: what the guard looks at, and its serialization.
struct ParsedUrl {
    scheme: String,
    /// A user name or password is present.
    credentials: bool,
    host: Option<Host>,
    /// The port, written or the scheme's default.
    port: Option<u16>,
    href: String,
}

/// The URL parser is the runtime's (`new URL`) in the worker, so the wasm does not carry a second
/// one (the `url` crate's parser with its IDNA, host and percent-encoding code); native builds
/// (unit tests, tools) use the `url` crate. Both implement the WHATWG URL standard.
#[cfg(target_arch = "wasm32")]
mod imp {
    use super::{Host, ParsedUrl};
    use js_sys::{Array, Function, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    pub fn parse(raw: &str) -> Option<ParsedUrl> {
        let constructor: Function = Reflect::get(&js_sys::global(), &"URL".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let url = Reflect::construct(&constructor, &Array::of1(&raw.into())).ok()?;
        let part = |name: &str| -> String {
            Reflect::get(&url, &JsValue::from_str(name))
                .ok()
                .and_then(|value| value.as_string())
                .unwrap_or_default()
        };
        let scheme = part("protocol").trim_end_matches(':').to_owned();
        let hostname = part("hostname");
        let host = if hostname.is_empty() {
            None
        } else if let Some(v6) = hostname.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(Host::Ipv6(v6.parse().ok()?))
        } else if let Ok(v4) = hostname.parse() {
            Some(Host::Ipv4(v4))
        } else {
            Some(Host::Domain(hostname))
        };
        let port = match part("port").as_str() {
            "" => match scheme.as_str() {
                "https" | "wss" => Some(443),
                "http" | "ws" => Some(80),
                "ftp" => Some(21),
                _ => None,
            },
            written => Some(written.parse().ok()?),
        };
        Some(ParsedUrl {
            credentials: !part("username").is_empty() || !part("password").is_empty(),
            scheme,
            host,
            port,
            href: part("href"),
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::{Host, ParsedUrl};
    use url::Url;

    pub fn parse(raw: &str) -> Option<ParsedUrl> {
        let url = Url::parse(raw).ok()?;
        Some(ParsedUrl {
            scheme: url.scheme().to_owned(),
            credentials: !url.username().is_empty() || url.password().is_some(),
            host: url.host().map(|host| match host {
                url::Host::Ipv4(ip) => Host::Ipv4(ip),
                url::Host::Ipv6(ip) => Host::Ipv6(ip),
                url::Host::Domain(name) => Host::Domain(name.to_owned()),
            }),
            port: url.port_or_known_default(),
            href: url.into(),
        })
    }
}

/// Whether the host of `raw` is written exactly as `canonical` (case and a trailing dot aside).
fn written_as(raw: &str, canonical: &str) -> bool {
    let authority = authority(raw);
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_and_port
        .rsplit_once(':')
        .map_or(host_and_port, |(h, _)| h);
    host.trim_end_matches('.').eq_ignore_ascii_case(canonical)
}

/// A name with at least two labels, outside the suffixes of private networks.
fn is_public_name(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    let private = PRIVATE_SUFFIXES.iter().any(|suffix| {
        name == *suffix
            || name
                .strip_suffix(suffix)
                .is_some_and(|rest| rest.ends_with('.'))
    });
    name.contains('.') && !private
}

/// Not private, loopback, link-local (cloud metadata), shared (CGNAT), documentation,
/// benchmarking, multicast, reserved or unspecified.
fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = ip.is_unspecified()
        || ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19));
    !special
}

/// Global unicast (2000::/3) only, without the ranges that embed an IPv4 address or are
/// reserved for documentation: loopback, unique-local, link-local, multicast, IPv4-mapped and
/// NAT64 addresses all fall outside.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, ..] = ip.segments();
    let global_unicast = first & 0xe000 == 0x2000;
    let teredo = first == 0x2001 && second == 0;
    let documentation = first == 0x2001 && second == 0x0db8;
    let six_to_four = first == 0x2002;
    global_unicast && !teredo && !documentation && !six_to_four
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTION: bool = false;
    const DEVELOPMENT: bool = true;

    #[test]
    fn only_ports_443_and_8443_are_allowed_outside_the_development_loopback() {
        for url in [
            "https://hooks.example.com/in",
            "https://hooks.example.com:443/in",
            "https://hooks.example.com:8443/in",
        ] {
            assert!(EndpointUrl::parse(url, PRODUCTION).is_ok(), "{url}");
        }
        for url in [
            "https://hooks.example.com:8080/in",
            "https://hooks.example.com:22/in",
            "https://hooks.example.com:444/in",
        ] {
            for development in [PRODUCTION, DEVELOPMENT] {
                assert_eq!(
                    EndpointUrl::parse(url, development),
                    Err(Problem::PortNotAllowed),
                    "{url}"
                );
            }
        }
        assert!(EndpointUrl::parse("http://127.0.0.1:9999/in", DEVELOPMENT).is_ok());
        assert!(EndpointUrl::parse("http://localhost:3000/in", DEVELOPMENT).is_ok());
    }

    #[test]
    fn https_urls_of_public_hosts_are_accepted_and_normalised() {
        for (raw, normalised) in [
            (
                "https://hooks.example.com/sel",
                "https://hooks.example.com/sel",
            ),
            (
                "HTTPS://Hooks.Example.COM:443/a?b=c",
                "https://hooks.example.com/a?b=c",
            ),
            (
                "https://hooks.example.com:8443/",
                "https://hooks.example.com:8443/",
            ),
            ("https://8.8.8.8/hook", "https://8.8.8.8/hook"),
            (
                "https://xn--entreprise-qubec-hqb.ca/",
                "https://xn--entreprise-qubec-hqb.ca/",
            ),
            (
                "https://[2606:4700::1111]/hook",
                "https://[2606:4700::1111]/hook",
            ),
            (
                "  https://hooks.example.com/padded  ",
                "https://hooks.example.com/padded",
            ),
        ] {
            for development in [PRODUCTION, DEVELOPMENT] {
                assert_eq!(
                    EndpointUrl::parse(raw, development).map(|u| u.0),
                    Ok(normalised.to_owned()),
                    "{raw}"
                );
            }
        }
    }

    #[test]
    fn plain_http_is_refused_except_to_loopback_in_development() {
        assert_eq!(
            EndpointUrl::parse("http://hooks.example.com/", PRODUCTION),
            Err(Problem::HttpsRequired)
        );
        assert_eq!(
            EndpointUrl::parse("http://hooks.example.com/", DEVELOPMENT),
            Err(Problem::HttpsRequired)
        );
        for loopback in [
            "http://127.0.0.1:8787/hook",
            "http://localhost:9000/",
            "http://[::1]:9000/",
        ] {
            assert!(
                EndpointUrl::parse(loopback, DEVELOPMENT).is_ok(),
                "{loopback}"
            );
            assert_eq!(
                EndpointUrl::parse(loopback, PRODUCTION),
                Err(Problem::HttpsRequired),
                "{loopback}"
            );
        }
    }

    #[test]
    fn private_and_special_addresses_are_refused_in_production() {
        for (raw, why) in [
            ("https://127.0.0.1/", "loopback"),
            ("https://127.1.2.3/", "loopback range"),
            ("https://localhost/", "localhost"),
            ("https://api.localhost/", "a localhost subdomain"),
            ("https://localhost./", "localhost with a trailing dot"),
            ("https://[::1]/", "IPv6 loopback"),
            ("https://10.0.0.5/", "private 10/8"),
            ("https://172.16.0.1/", "private 172.16/12"),
            ("https://172.31.255.255/", "private 172.16/12, top"),
            ("https://192.168.1.1/", "private 192.168/16"),
            (
                "https://169.254.169.254/latest/meta-data/",
                "link-local: cloud metadata",
            ),
            ("https://100.64.0.1/", "shared address space (CGNAT)"),
            (
                "https://100.100.100.200/",
                "CGNAT: another cloud's metadata",
            ),
            ("https://0.0.0.0/", "unspecified"),
            ("https://0.1.2.3/", "this network"),
            ("https://192.0.0.8/", "IETF protocol assignments"),
            ("https://192.0.2.1/", "documentation"),
            ("https://198.18.0.1/", "benchmarking"),
            ("https://224.0.0.1/", "multicast"),
            ("https://240.0.0.1/", "reserved"),
            ("https://255.255.255.255/", "broadcast"),
            (
                "https://[fd00:ec2::254]/",
                "unique-local IPv6 (a cloud's metadata)",
            ),
            ("https://[fc00::1]/", "unique-local IPv6"),
            ("https://[fe80::1]/", "link-local IPv6"),
            ("https://[::]/", "unspecified IPv6"),
            ("https://[::ffff:127.0.0.1]/", "IPv4-mapped loopback"),
            ("https://[::ffff:8.8.8.8]/", "IPv4-mapped, even public"),
            ("https://[64:ff9b::a00:1]/", "NAT64 of a private address"),
            ("https://[2002:7f00:1::]/", "6to4 embedding loopback"),
            ("https://[2001:db8::1]/", "IPv6 documentation"),
            ("https://[ff02::1]/", "IPv6 multicast"),
            ("https://2130706433/", "loopback in decimal notation"),
            ("https://0x7f000001/", "loopback in hex notation"),
            ("https://0177.0.0.1/", "loopback in octal notation"),
            ("https://0x7f.1/", "loopback in short hex notation"),
            ("https://127.1/", "loopback in short notation"),
            (
                "https://134744072/",
                "a public address in decimal notation is still a trick",
            ),
            ("https://%31%32%37.0.0.1/", "percent-encoded loopback"),
            ("https://metadata.google.internal/", "an internal name"),
            ("https://printer.local/", "an mDNS name"),
            ("https://nas.home.arpa/", "a home network name"),
            ("https://intranet/", "a single-label name"),
        ] {
            assert_eq!(
                EndpointUrl::parse(raw, PRODUCTION),
                Err(Problem::AddressNotAllowed),
                "{raw} is refused: {why}"
            );
        }
    }

    #[test]
    fn development_allows_only_the_loopback_among_special_addresses() {
        assert!(EndpointUrl::parse("https://127.0.0.1:9000/", DEVELOPMENT).is_ok());
        for raw in [
            "https://10.0.0.5/",
            "https://169.254.169.254/",
            "http://2130706433/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert!(EndpointUrl::parse(raw, DEVELOPMENT).is_err(), "{raw}");
        }
    }

    #[test]
    fn malformed_urls_and_other_schemes_are_refused() {
        for (raw, problem) in [
            ("", Problem::Required),
            ("hooks.example.com/sel", Problem::InvalidUrl),
            ("ftp://hooks.example.com/", Problem::InvalidUrl),
            ("file:///etc/passwd", Problem::InvalidUrl),
            ("javascript:alert(1)", Problem::InvalidUrl),
            (
                "https://user:secret@hooks.example.com/",
                Problem::InvalidUrl,
            ),
            ("https://hooks.example.com@127.0.0.1/", Problem::InvalidUrl),
            ("https://hooks.example.com/a b", Problem::InvalidUrl),
            ("https://hooks.example.com/\u{202e}", Problem::InvalidUrl),
            ("https:///nohost", Problem::AddressNotAllowed),
            ("https://entreprise-québec.ca/", Problem::InvalidUrl),
        ] {
            assert_eq!(EndpointUrl::parse(raw, PRODUCTION), Err(problem), "{raw:?}");
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(MAX_URL_LENGTH));
        assert_eq!(EndpointUrl::parse(&long, PRODUCTION), Err(Problem::TooLong));
    }
}
