//! Stage 1: one streaming pass over the document that proves it well-formed and hands the
//! elements below the root to a sink.
//!
//! quick-xml checks tags, comments, CDATA and end-tag names; everything it leaves to the
//! application is checked here: a single root, nothing but whitespace outside it, legal
//! characters and names, well-formed attributes, known references, no `]]>` in text, the XML
//! declaration only at the start, and no DOCTYPE at all. The sink sees only what lies inside
//! the root, already decoded, so building records never has to look at XML syntax.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::Reader;
use quick_xml::errors::{Error as QuickXmlError, IllFormedError, SyntaxError as QuickXmlSyntax};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

use crate::bounds::{XML_MAX_ATTRIBUTES, XML_MAX_NAME_BYTES, echo};

use super::chars::{
    check_attribute_value, find_cdata_close, first_illegal_char, is_name, is_xml_whitespace,
    resolve_reference,
};

/// The namespace the root may declare (or no namespace at all).
pub(crate) const C123_NAMESPACE: &str = "http://siwidata.com/Canoe123/Data.xsd";

/// The namespace the `xml` prefix is bound to by definition.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Why the walk stopped: the document is not well-formed, or it breaks a structural bound of
/// contract §1.8 (DV41) that is checked while walking so the walk stays linear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// Not well-formed; the reason is the parser's wording.
    Syntax(String),
    /// More than [`XML_MAX_ATTRIBUTES`] attributes on the element with this (qualified) name.
    TooManyAttributes(String),
    /// An element or attribute name longer than [`XML_MAX_NAME_BYTES`] bytes.
    NameTooLong,
}

/// Why the walk stopped, and the byte offset where that was detected (for a bound: the start of
/// the tag that breaks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxFailure {
    /// What went wrong.
    pub(crate) kind: FailureKind,
    /// Byte offset into the walked text.
    pub(crate) offset: usize,
}

impl SyntaxFailure {
    fn new(reason: impl Into<String>, offset: usize) -> Self {
        Self {
            kind: FailureKind::Syntax(reason.into()),
            offset,
        }
    }

    fn bound(kind: FailureKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// The syntax reason (`None` for a bound).
    #[cfg(test)]
    fn reason(&self) -> Option<&str> {
        match &self.kind {
            FailureKind::Syntax(reason) => Some(reason),
            FailureKind::TooManyAttributes(_) | FailureKind::NameTooLong => None,
        }
    }
}

/// A piece of decoded character data inside an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// Text or CDATA content, line endings normalised; borrowed from the input when possible.
    Text(Cow<'a, str>),
    /// A resolved entity or character reference.
    Char(char),
}

/// Receives the elements below the root, in document order.
///
/// `level` is the number of ancestors below the root: records are level 1, their fields level 2.
pub(crate) trait ElementSink<'a> {
    /// An element opened (an empty element is reported as `start` immediately followed by `end`).
    fn start(&mut self, level: usize, local_name: &str, offset: usize);
    /// The element opened last at `level` closed.
    fn end(&mut self, level: usize);
    /// Whether character data directly inside the open element at `level` is needed; when it is
    /// not, the walker skips decoding it.
    fn wants_text(&self, level: usize) -> bool;
    /// Character data directly inside the innermost open element (only after `wants_text`).
    fn text(&mut self, segment: Segment<'a>);
}

/// What stage 2 needs to know about the root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RootInfo {
    /// Local name `Canoe123Data`, in the Canoe123 namespace or in none.
    pub(crate) is_c123: bool,
    /// At least one child element.
    pub(crate) has_child: bool,
}

/// Walks `text` (without a BOM), feeding `sink`; fails with the first well-formedness error in
/// document order.
pub(crate) fn walk<'a, S: ElementSink<'a>>(
    text: &'a str,
    sink: &mut S,
) -> Result<RootInfo, SyntaxFailure> {
    // quick-xml skips a leading BOM by itself and then counts its positions from after it, so
    // every offset (and every slice taken from the input by offset) would be three bytes early.
    // The caller has already removed the document's BOM: a second U+FEFF is text before the
    // root element, as a parser that did not skip it would report (found by fuzzing).
    if text.starts_with('\u{FEFF}') {
        return Err(SyntaxFailure::new(
            "text is not allowed outside the root element",
            0,
        ));
    }
    // Illegal characters are found by a separate byte scan; whichever error comes first in the
    // document is the one a sequential parser would have reported.
    let illegal = first_illegal_char(text);
    let outcome = Walker {
        text,
        open: Vec::new(),
        root: None,
        root_closed: false,
    }
    .run(sink);
    match (illegal, outcome) {
        (Some((at, c)), Err(failure)) if at <= failure.offset => Err(illegal_char(at, c)),
        (Some((at, c)), Ok(_)) => Err(illegal_char(at, c)),
        (_, outcome) => outcome,
    }
}

fn illegal_char(offset: usize, c: char) -> SyntaxFailure {
    SyntaxFailure::new(format!("invalid character U+{:04X}", u32::from(c)), offset)
}

struct Walker<'a> {
    text: &'a str,
    /// Byte ranges of the names of the open elements, outermost first.
    open: Vec<Range<usize>>,
    root: Option<RootInfo>,
    root_closed: bool,
}

impl<'a> Walker<'a> {
    fn run<S: ElementSink<'a>>(mut self, sink: &mut S) -> Result<RootInfo, SyntaxFailure> {
        let mut reader = Reader::from_str(self.text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.allow_dangling_amp = false;
        config.allow_unmatched_ends = false;
        config.expand_empty_elements = false;
        config.trim_text(false);

        loop {
            // Every event starts where the previous one ended: at `<` for markup, at `&` for a
            // reference, at the first character for text.
            let before = self.offset(reader.buffer_position());
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(error) => return Err(self.quick_xml_failure(&reader, &error)),
            };
            match event {
                Event::Start(start) => self.start(&start, before, false, sink)?,
                Event::Empty(start) => self.start(&start, before, true, sink)?,
                Event::End(_) => self.end(sink),
                Event::Text(text) => self.text(&text, before, sink)?,
                Event::CData(cdata) => {
                    let level = self.inside_root(before, "CDATA")?;
                    if sink.wants_text(level) {
                        let content = decode(cdata.into_inner(), before)?;
                        sink.text(Segment::Text(normalise_line_ends(content)));
                    }
                }
                Event::GeneralRef(reference) => {
                    let level = self.inside_root(before, "a reference")?;
                    let resolved = std::str::from_utf8(&reference)
                        .ok()
                        .and_then(resolve_reference);
                    let Some(c) = resolved else {
                        return Err(SyntaxFailure::new(
                            "undefined entity or invalid character reference",
                            before,
                        ));
                    };
                    if sink.wants_text(level) {
                        sink.text(Segment::Char(c));
                    }
                }
                Event::Decl(decl) => {
                    if before != 0 {
                        return Err(SyntaxFailure::new(
                            "XML declaration allowed only at the start of the document",
                            before,
                        ));
                    }
                    if let Err(error) = decl.version() {
                        return Err(SyntaxFailure::new(error.to_string(), before));
                    }
                }
                Event::PI(pi) => {
                    let target = std::str::from_utf8(pi.target()).unwrap_or("");
                    if !is_name(target) || target.eq_ignore_ascii_case("xml") {
                        return Err(SyntaxFailure::new(
                            "invalid processing instruction target",
                            before,
                        ));
                    }
                }
                Event::DocType(_) => {
                    return Err(SyntaxFailure::new("DOCTYPE is not allowed", before));
                }
                Event::Comment(_) => {}
                Event::Eof => return self.finish(),
            }
        }
    }

    fn offset(&self, position: u64) -> usize {
        usize::try_from(position).map_or(self.text.len(), |p| p.min(self.text.len()))
    }

    /// The level of the innermost open element, or an error when `what` appears outside the root.
    fn inside_root(&self, offset: usize, what: &str) -> Result<usize, SyntaxFailure> {
        self.open.len().checked_sub(1).ok_or_else(|| {
            SyntaxFailure::new(
                format!("{what} is not allowed outside the root element"),
                offset,
            )
        })
    }

    fn start<S: ElementSink<'a>>(
        &mut self,
        start: &BytesStart<'_>,
        before: usize,
        empty: bool,
        sink: &mut S,
    ) -> Result<(), SyntaxFailure> {
        let qname = start.name();
        let name_start = before + 1;
        if qname.as_ref().len() > XML_MAX_NAME_BYTES {
            return Err(SyntaxFailure::bound(FailureKind::NameTooLong, before));
        }
        // The name follows the `<` at `before`: slice it from the input rather than validating
        // its UTF-8 again; the comparison guards the offset arithmetic.
        let name = match self.text.get(name_start..name_start + qname.as_ref().len()) {
            Some(slice) if slice.as_bytes() == qname.as_ref() => slice,
            _ => std::str::from_utf8(qname.as_ref()).unwrap_or(""),
        };
        if !is_name(name) {
            return Err(SyntaxFailure::new("invalid element name", name_start));
        }
        let (prefix, local_name) = name
            .split_once(':')
            .map_or((None, name), |(p, l)| (Some(p), l));
        let root_namespace = check_attributes(start, before, name, prefix)?;

        let level = self.open.len();
        if level == 0 {
            if self.root.is_some() {
                return Err(SyntaxFailure::new(
                    "junk after document element: only one root element is allowed",
                    before,
                ));
            }
            let in_namespace = match prefix {
                Some("xml") => false,
                _ => root_namespace
                    .as_deref()
                    .is_none_or(|ns| ns.is_empty() || ns == C123_NAMESPACE),
            };
            self.root = Some(RootInfo {
                is_c123: local_name == "Canoe123Data" && in_namespace,
                has_child: false,
            });
            self.root_closed = empty;
        } else {
            if level == 1
                && let Some(root) = self.root.as_mut()
            {
                root.has_child = true;
            }
            sink.start(level, local_name, before);
            if empty {
                sink.end(level);
            }
        }
        if !empty {
            self.open.push(name_start..name_start + name.len());
        }
        Ok(())
    }

    fn end<S: ElementSink<'a>>(&mut self, sink: &mut S) {
        // quick-xml has already matched the end tag against the open start tag.
        self.open.pop();
        match self.open.len() {
            0 => self.root_closed = true,
            level => sink.end(level),
        }
    }

    fn text<S: ElementSink<'a>>(
        &self,
        content: &[u8],
        before: usize,
        sink: &mut S,
    ) -> Result<(), SyntaxFailure> {
        let Some(level) = self.open.len().checked_sub(1) else {
            return match content.iter().position(|&b| !is_xml_whitespace(b)) {
                Some(at) => Err(SyntaxFailure::new(
                    if self.root_closed {
                        "junk after document element: text is not allowed outside the root element"
                    } else {
                        "text is not allowed outside the root element"
                    },
                    before + at,
                )),
                None => Ok(()),
            };
        };
        // The text event is the input from `before` on, so it is sliced from the input instead
        // of being validated as UTF-8 again (the slice fails only off a character boundary).
        let text = match self.text.get(before..before + content.len()) {
            Some(slice) => {
                debug_assert_eq!(slice.as_bytes(), content);
                slice
            }
            None => return Err(SyntaxFailure::new("invalid UTF-8", before)),
        };
        if let Some(at) = find_cdata_close(text) {
            return Err(SyntaxFailure::new(
                "`]]>` is not allowed in character data",
                before + at,
            ));
        }
        if sink.wants_text(level) {
            sink.text(Segment::Text(normalise_line_ends(Cow::Borrowed(text))));
        }
        Ok(())
    }

    fn finish(&self) -> Result<RootInfo, SyntaxFailure> {
        let end = self.text.len();
        if let Some(innermost) = self.open.last() {
            let name = self.text.get(innermost.clone()).unwrap_or("?");
            return Err(SyntaxFailure::new(
                QuickXmlError::IllFormed(IllFormedError::MissingEndTag(name.to_owned()))
                    .to_string(),
                end,
            ));
        }
        self.root
            .ok_or_else(|| SyntaxFailure::new("no root element found", end))
    }

    fn quick_xml_failure(&self, reader: &Reader<&[u8]>, error: &QuickXmlError) -> SyntaxFailure {
        let end = self.text.len();
        let at_error = self.offset(reader.error_position());
        let offset = match error {
            // Truncation: the missing delimiter is noticed at the end of the text.
            QuickXmlError::Syntax(
                QuickXmlSyntax::UnclosedTag
                | QuickXmlSyntax::UnclosedComment
                | QuickXmlSyntax::UnclosedCData
                | QuickXmlSyntax::UnclosedPIOrXmlDecl,
            ) => end,
            QuickXmlError::Syntax(QuickXmlSyntax::UnclosedDoctype)
            | QuickXmlError::IllFormed(IllFormedError::MissingDoctypeName) => {
                return SyntaxFailure::new("DOCTYPE is not allowed", at_error);
            }
            QuickXmlError::IllFormed(IllFormedError::UnclosedReference)
                if self.offset(reader.buffer_position()) >= end =>
            {
                end
            }
            _ => at_error,
        };
        SyntaxFailure::new(quick_xml_reason(error), offset)
    }
}

/// quick-xml's wording, with the end-tag names it quotes cut to 64 characters (§1.8): an end tag
/// may carry a name of any length, and the message must not echo megabytes.
fn quick_xml_reason(error: &QuickXmlError) -> String {
    let ill_formed = |e: IllFormedError| QuickXmlError::IllFormed(e).to_string();
    match error {
        QuickXmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            ill_formed(IllFormedError::MismatchedEndTag {
                expected: echo(expected).into_owned(),
                found: echo(found).into_owned(),
            })
        }
        QuickXmlError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            ill_formed(IllFormedError::UnmatchedEndTag(echo(name).into_owned()))
        }
        other => other.to_string(),
    }
}

/// Checks every attribute of a start tag; returns the namespace the tag declares for `prefix`
/// (only used for the root, where no outer declaration can exist).
///
/// quick-xml compares each attribute's name with every earlier one (duplicates are an error),
/// which is quadratic in their number: 40 000 attributes on the root took 2.5 s of a core,
/// 100 000 took 17 s. The walk therefore stops at the 17th attribute (§1.8), before the
/// comparisons can add up, and rejects names longer than 64 bytes as it meets them.
fn check_attributes(
    start: &BytesStart<'_>,
    before: usize,
    element: &str,
    prefix: Option<&str>,
) -> Result<Option<String>, SyntaxFailure> {
    if start.attributes_raw().iter().all(|&b| is_xml_whitespace(b)) {
        return Ok(None);
    }
    // Attribute error positions count from the first byte after `<`.
    let tag = before + 1;
    let mut namespace = None;
    for (index, attribute) in start.attributes().enumerate() {
        if index == XML_MAX_ATTRIBUTES {
            return Err(SyntaxFailure::bound(
                FailureKind::TooManyAttributes(element.to_owned()),
                before,
            ));
        }
        let attribute = attribute.map_err(|error| attribute_failure(&error, tag))?;
        if attribute.key.as_ref().len() > XML_MAX_NAME_BYTES {
            return Err(SyntaxFailure::bound(FailureKind::NameTooLong, before));
        }
        let key = std::str::from_utf8(attribute.key.as_ref()).unwrap_or("");
        if !is_name(key) {
            return Err(SyntaxFailure::new("invalid attribute name", tag));
        }
        if let Some(at) = check_attribute_value(&attribute.value) {
            return Err(SyntaxFailure::new(
                "invalid reference or `<` in attribute value",
                tag + value_offset(start, &attribute.value) + at,
            ));
        }
        let declares = match (key.strip_prefix("xmlns"), prefix) {
            (Some(""), None) => true,
            (Some(rest), Some(p)) => rest.strip_prefix(':') == Some(p),
            _ => false,
        };
        if declares {
            namespace = Some(decode_attribute_value(&attribute.value));
        }
    }
    if prefix == Some("xml") {
        namespace = Some(XML_NAMESPACE.to_owned());
    }
    Ok(namespace)
}

/// Where an attribute value starts inside the tag content (for error positions only).
fn value_offset(start: &BytesStart<'_>, value: &[u8]) -> usize {
    let content: &[u8] = start;
    let content_start = content.as_ptr() as usize;
    let value_start = value.as_ptr() as usize;
    value_start
        .checked_sub(content_start)
        .filter(|&offset| offset <= content.len())
        .unwrap_or(0)
}

fn attribute_failure(error: &AttrError, tag: usize) -> SyntaxFailure {
    let (reason, at) = match *error {
        AttrError::ExpectedEq(at) => ("attribute name must be followed by `=`", at),
        AttrError::ExpectedValue(at) => ("`=` must be followed by an attribute value", at),
        AttrError::UnquotedValue(at) => ("attribute value must be enclosed in quotes", at),
        AttrError::ExpectedQuote(at, _) => ("missing closing quote in attribute value", at),
        AttrError::Duplicated(at, _) => ("duplicated attribute", at),
    };
    SyntaxFailure::new(reason, tag + at)
}

/// Resolves the (already validated) references of an attribute value.
fn decode_attribute_value(value: &[u8]) -> String {
    let raw = String::from_utf8_lossy(value);
    let mut decoded = String::with_capacity(raw.len());
    let mut rest: &str = &raw;
    while let Some(amp) = rest.find('&') {
        let (before, from_amp) = rest.split_at(amp);
        decoded.push_str(before);
        let Some(semicolon) = from_amp.find(';') else {
            rest = from_amp;
            break;
        };
        let body = from_amp.get(1..semicolon).unwrap_or("");
        if let Some(c) = resolve_reference(body) {
            decoded.push(c);
        }
        rest = from_amp.get(semicolon + 1..).unwrap_or("");
    }
    decoded.push_str(rest);
    decoded
}

/// Borrowed bytes of the input as text (the walker only splits at ASCII delimiters, so the
/// bytes are always valid UTF-8; the error path exists only to avoid a panic).
fn decode(bytes: Cow<'_, [u8]>, offset: usize) -> Result<Cow<'_, str>, SyntaxFailure> {
    let invalid = || SyntaxFailure::new("invalid UTF-8", offset);
    match bytes {
        Cow::Borrowed(b) => std::str::from_utf8(b)
            .map(Cow::Borrowed)
            .map_err(|_| invalid()),
        Cow::Owned(v) => String::from_utf8(v).map(Cow::Owned).map_err(|_| invalid()),
    }
}

/// XML end-of-line handling: `\r\n` and a lone `\r` both become `\n`.
fn normalise_line_ends(text: Cow<'_, str>) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every callback as a line, to assert the sink protocol exactly.
    #[derive(Default)]
    struct Trace {
        lines: Vec<String>,
    }

    impl ElementSink<'_> for Trace {
        fn start(&mut self, level: usize, local_name: &str, offset: usize) {
            self.lines
                .push(format!("start {level} {local_name} @{offset}"));
        }
        fn end(&mut self, level: usize) {
            self.lines.push(format!("end {level}"));
        }
        fn wants_text(&self, level: usize) -> bool {
            level >= 2
        }
        fn text(&mut self, segment: Segment<'_>) {
            self.lines.push(match segment {
                Segment::Text(t) => format!("text {t:?}"),
                Segment::Char(c) => format!("char {c:?}"),
            });
        }
    }

    fn trace(xml: &str) -> Result<(RootInfo, Vec<String>), SyntaxFailure> {
        let mut sink = Trace::default();
        walk(xml, &mut sink).map(|root| (root, sink.lines))
    }

    fn failure(xml: &str) -> (String, usize) {
        let failure = trace(xml).unwrap_err();
        let reason = failure.reason().unwrap_or("<bound>").to_owned();
        (reason, failure.offset)
    }

    #[test]
    fn elements_below_the_root_reach_the_sink_decoded() {
        let xml = "<?xml version=\"1.0\"?>\n<c:Canoe123Data xmlns:c=\"http://siwidata.com/Canoe123/Data.xsd\">\
                   <R><F>a&amp;b<![CDATA[<x>]]>&#x17D;\r\nc</F><E/></R></c:Canoe123Data>";
        let (root, lines) = trace(xml).unwrap();
        assert_eq!(
            root,
            RootInfo {
                is_c123: true,
                has_child: true
            }
        );
        let r = xml.find("<R>").unwrap();
        assert_eq!(
            lines,
            [
                format!("start 1 R @{r}"),
                format!("start 2 F @{}", r + 3),
                "text \"a\"".to_owned(),
                "char '&'".to_owned(),
                "text \"b\"".to_owned(),
                "text \"<x>\"".to_owned(),
                "char 'Ž'".to_owned(),
                "text \"\\nc\"".to_owned(),
                "end 2".to_owned(),
                format!("start 2 E @{}", xml.find("<E/>").unwrap()),
                "end 2".to_owned(),
                "end 1".to_owned(),
            ]
        );
    }

    #[test]
    fn root_namespace_decides_stage_two() {
        let is_c123 = |xml: &str| trace(xml).unwrap().0.is_c123;
        assert!(is_c123("<Canoe123Data><a/></Canoe123Data>"));
        assert!(is_c123(
            "<Canoe123Data xmlns=\"http://siwidata.com/Canoe123/Data.xsd\"/>"
        ));
        assert!(is_c123("<Canoe123Data xmlns=\"\"/>"));
        assert!(is_c123("<p:Canoe123Data xmlns=\"urn:other\"/>"));
        assert!(!is_c123("<Canoe123Data xmlns=\"urn:other\"/>"));
        assert!(!is_c123("<p:Canoe123Data xmlns:p=\"urn:other\"/>"));
        assert!(!is_c123("<xml:Canoe123Data/>"));
        assert!(!is_c123("<canoe123data/>"));
        assert!(!trace("<Canoe123Data></Canoe123Data>").unwrap().0.has_child);
    }

    #[test]
    fn errors_carry_the_offset_where_they_were_detected() {
        let expect = |xml: &str, reason: &str, offset: usize| {
            assert_eq!(failure(xml), (reason.to_owned(), offset), "{xml}");
        };
        expect(
            "<a></b>",
            "ill-formed document: expected `</a>`, but `</b>` was found",
            3,
        );
        expect(
            "<a><b>",
            "ill-formed document: start tag not closed: `</b>` not found before end of input",
            6,
        );
        expect(
            "<a/><b/>",
            "junk after document element: only one root element is allowed",
            4,
        );
        expect(
            "<a/> x",
            "junk after document element: text is not allowed outside the root element",
            5,
        );
        expect(
            "  hello <a/>",
            "text is not allowed outside the root element",
            2,
        );
        expect(
            "<a>&nbsp;</a>",
            "undefined entity or invalid character reference",
            3,
        );
        expect(
            "<a>&#0;</a>",
            "undefined entity or invalid character reference",
            3,
        );
        expect("<!DOCTYPE a><a/>", "DOCTYPE is not allowed", 0);
        expect("<a/>\n<!DOCTYPE a>", "DOCTYPE is not allowed", 5);
        expect("<!DOCTYPE>", "DOCTYPE is not allowed", 9);
        expect("", "no root element found", 0);
        expect(" \n<!-- c -->", "no root element found", 12);
        expect("<a>x\u{1}</a>", "invalid character U+0001", 4);
        expect("<a>]]></a>", "`]]>` is not allowed in character data", 3);
        expect("<a><1/></a>", "invalid element name", 4);
        expect("<a>< b/></a>", "invalid element name", 4);
        expect("<a b='1' b='2'/>", "duplicated attribute", 9);
        expect("<a b=1/>", "attribute value must be enclosed in quotes", 5);
        expect(
            "<a b='&x;'/>",
            "invalid reference or `<` in attribute value",
            6,
        );
        expect(
            "<a b='<'/>",
            "invalid reference or `<` in attribute value",
            6,
        );
        expect(
            " <?xml version=\"1.0\"?><a/>",
            "XML declaration allowed only at the start of the document",
            1,
        );
        expect(
            "<a><?XmL x?></a>",
            "invalid processing instruction target",
            3,
        );
        expect(
            "<a><!-- a -- b --></a>",
            "ill-formed document: forbidden string `--` was found in a comment",
            10,
        );
        expect("]]><a/>", "text is not allowed outside the root element", 0);
        // A BOM left after the caller stripped one (quick-xml would skip it and shift offsets).
        expect(
            "\u{FEFF}<a>D<b>x</b></a>",
            "text is not allowed outside the root element",
            0,
        );
        expect(
            "<![CDATA[x]]><a/>",
            "CDATA is not allowed outside the root element",
            0,
        );
        expect(
            "&amp;<a/>",
            "a reference is not allowed outside the root element",
            0,
        );
    }

    #[test]
    fn truncation_is_reported_at_the_end_of_the_text() {
        for xml in [
            "<a><b",
            "<a><!-- c",
            "<a><![CDATA[x",
            "<a><?pi",
            "<a b='x",
            "<a>x &amp",
        ] {
            let (_, offset) = failure(xml);
            assert_eq!(offset, xml.len(), "{xml}");
        }
    }

    #[test]
    fn the_earlier_of_an_illegal_character_and_a_syntax_error_wins() {
        assert_eq!(failure("<a>\u{2}</b>").1, 3);
        assert_eq!(failure("<a></b>\u{2}").1, 3);
        assert_eq!(failure("<a/>\u{FFFF}").0, "invalid character U+FFFF");
    }
}
