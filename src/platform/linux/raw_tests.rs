use super::*;

#[test]
fn filter_passes_only_wanted_types() {
    let f = icmp6_filter(&WANTED_TYPES);
    let blocked = |t: u8| f[usize::from(t >> 5)] & (1 << (t & 31)) != 0;
    for t in 0..=255u8 {
        assert_eq!(blocked(t), !WANTED_TYPES.contains(&t), "type {t}");
    }
}
