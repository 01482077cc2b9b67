use super::*;
use crate::output::byhost::SortKey;
use std::ffi::OsStr;

#[test]
fn colour_decision() {
    use ColorChoice::{Always, Auto, Never};
    let set = Some(OsStr::new("1"));
    let empty = Some(OsStr::new(""));
    assert!(use_color(Auto, true, None));
    assert!(
        use_color(Auto, true, empty),
        "an empty NO_COLOR does not count"
    );
    assert!(!use_color(Auto, true, set));
    assert!(!use_color(Auto, false, None));
    assert!(use_color(Always, false, set));
    assert!(!use_color(Never, true, None));
}

fn tty(width: u16) -> Terminal {
    Terminal {
        is_tty: true,
        width: Some(width),
        no_color: None,
    }
}

#[test]
fn auto_is_a_fitted_coloured_table_on_a_terminal_and_plain_elsewhere() {
    let out = OutputConfig::default();
    assert_eq!(
        out.format(&tty(80)),
        Format::Table {
            style: TableStyle {
                width: Some(80),
                color: true
            },
            by_host: None
        }
    );
    assert_eq!(out.format(&Terminal::default()), Format::plain(true));
    let no_color = Terminal {
        no_color: Some("1".into()),
        ..tty(80)
    };
    assert_eq!(
        out.format(&no_color),
        Format::Table {
            style: TableStyle {
                width: Some(80),
                color: false
            },
            by_host: None
        }
    );
}

#[test]
fn an_asked_for_table_off_a_terminal_has_no_width_and_no_colour() {
    let out = OutputConfig {
        format: FormatChoice::Table,
        ..OutputConfig::default()
    };
    let piped = Terminal {
        width: Some(80),
        ..Terminal::default()
    };
    assert_eq!(out.format(&piped), Format::TABLE);
    let always = OutputConfig {
        color: ColorChoice::Always,
        ..out
    };
    assert_eq!(
        always.format(&piped),
        Format::Table {
            style: TableStyle {
                width: None,
                color: true
            },
            by_host: None
        }
    );
}

#[test]
fn by_host_and_header_reach_the_format_json_takes_neither() {
    let by_host = Some(SortKey::LastSeen);
    let out = OutputConfig {
        format: FormatChoice::Plain,
        header: false,
        by_host,
        ..OutputConfig::default()
    };
    assert_eq!(
        out.format(&tty(80)),
        Format::Plain {
            header: false,
            by_host
        }
    );
    let table = OutputConfig {
        format: FormatChoice::Auto,
        ..out
    };
    assert!(matches!(
        table.format(&tty(80)),
        Format::Table { by_host: b, .. } if b == by_host
    ));
    for (choice, want) in [
        (FormatChoice::Json, Format::Json),
        (FormatChoice::Jsonl, Format::Jsonl),
    ] {
        let o = OutputConfig {
            format: choice,
            ..out
        };
        assert_eq!(o.format(&tty(80)), want);
        assert_eq!(o.format(&Terminal::default()), want);
    }
}
