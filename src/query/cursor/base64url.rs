//! Base64url without padding (RFC 4648, section 5): cursor bytes as text
//! that travels unchanged in JSON, URLs and headers.

/// The text for `bytes`: four characters per three bytes, fewer at the end.
pub(super) fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().div_ceil(3).saturating_mul(4));
    for chunk in bytes.chunks(3) {
        let mut group = [0u8; 3];
        for (slot, byte) in group.iter_mut().zip(chunk) {
            *slot = *byte;
        }
        let [a, b, c] = group;
        let sextets = [a >> 2, ((a & 0b11) << 4) | (b >> 4), ((b & 0b1111) << 2) | (c >> 6), c & 0b11_1111];
        // n bytes take n + 1 characters.
        text.extend(sextets.into_iter().take(chunk.len().saturating_add(1)).map(symbol));
    }
    text
}

/// The bytes `text` encodes; `None` for a character outside the alphabet or
/// a length no encoding has (one character past a group of four).
pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(text.len().saturating_mul(3) / 4);
    for chunk in text.as_bytes().chunks(4) {
        if chunk.len() < 2 {
            return None;
        }
        let mut group = [0u8; 4];
        for (slot, symbol) in group.iter_mut().zip(chunk) {
            *slot = value(*symbol)?;
        }
        let [a, b, c, d] = group;
        let decoded = [(a << 2) | (b >> 4), (b << 4) | (c >> 2), (c << 6) | d];
        // n characters carry n - 1 bytes.
        bytes.extend(decoded.into_iter().take(chunk.len().saturating_sub(1)));
    }
    Some(bytes)
}

/// The character for a 6-bit value (each arm's arithmetic stays in its range).
fn symbol(sextet: u8) -> char {
    char::from(match sextet {
        0..=25 => b'A' + sextet,
        26..=51 => b'a' + (sextet - 26),
        52..=61 => b'0' + (sextet - 52),
        62 => b'-',
        _ => b'_',
    })
}

/// The 6-bit value of a character, if it is in the alphabet.
fn value(symbol: u8) -> Option<u8> {
    match symbol {
        b'A'..=b'Z' => Some(symbol - b'A'),
        b'a'..=b'z' => Some(symbol - b'a' + 26),
        b'0'..=b'9' => Some(symbol - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vectors_of_rfc_4648_without_padding() {
        let vectors =
            [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded), Some(plain.as_bytes().to_vec()));
        }
    }

    #[test]
    fn every_byte_round_trips_with_the_url_alphabet() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert!(text.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'), "{text}");
        assert!(text.contains('-') && text.contains('_'));
        assert_eq!(decode(&text), Some(all));
    }

    #[test]
    fn foreign_characters_and_impossible_lengths_are_refused() {
        assert_eq!(decode("Zm9v+g"), None, "the standard alphabet's + is not url-safe base64");
        assert_eq!(decode("Zm9vYg=="), None, "no padding");
        assert_eq!(decode("Zm9vY"), None, "one character past a group");
        assert_eq!(decode("Zm 9v"), None);
        assert_eq!(decode("é"), None);
    }
}
