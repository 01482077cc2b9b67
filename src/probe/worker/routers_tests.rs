use super::*;

const R: Mac = Mac([0, 0x24, 0xa5, 0, 0, 1]);

#[test]
fn a_router_flag_holds_the_window_until_its_advert() {
    let mut w = RouterWait::new(8);
    assert_eq!(w.await_ra(Some(R)), None, "no RS sent yet");
    let t0 = Instant::now();
    w.solicited(t0);
    assert_eq!(w.await_ra(Some(R)), Some(t0 + RA_WAIT));
    assert!(w.advertised(&[R]));
    assert_eq!(w.await_ra(Some(R)), None, "its RA is in");
}

#[test]
fn awaited_routers_are_bounded() {
    let mut w = RouterWait::new(2);
    w.solicited(Instant::now());
    assert!(w.await_ra(Some(Mac([2, 0, 0, 0, 0, 1]))).is_some());
    assert!(w.await_ra(Some(Mac([2, 0, 0, 0, 0, 2]))).is_some());
    assert!(w.await_ra(Some(Mac([2, 0, 0, 0, 0, 3]))).is_none());
    assert!(
        !w.advertised(&[Mac([2, 0, 0, 0, 0, 1])]),
        "one still awaited"
    );
}
