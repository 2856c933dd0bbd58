//! The client state on the host: ordering, unread counts, rows, scrolling.

use super::*;
use chrono::{Duration, FixedOffset, TimeZone};
use protocol::RoomId;
use protocol::{NotificationLevel, Room, RoomKind, ServerEvent, Visibility};
use uuid::Uuid;

/// An id of whatever kind the call site needs, numbered.
fn nth<T: From<Uuid>>(n: u128) -> T {
    Uuid::from_u128(n).into()
}

/// A new random id of whatever kind the call site needs.
#[allow(dead_code)]
fn fresh<T: From<Uuid>>() -> T {
    Uuid::new_v4().into()
}

fn at(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0)
        .single()
        .expect("valid date")
        + Duration::minutes(min)
}

fn user(n: u128) -> UserRef {
    UserRef {
        id: nth(n),
        username: format!("u{n}"),
        display_name: format!("User {n}"),
        avatar_url: None,
    }
}

fn msg(room: RoomId, seq: i64, sender: u128, min: i64) -> Message {
    Message {
        id: nth(1000 + seq as u128),
        room_id: room,
        seq,
        sender: Some(user(sender)),
        body: format!("m{seq}"),
        created_at: at(min),
        edited_at: None,
        deleted: false,
        reply_to: None,
        reply_count: 0,
        client_id: None,
        reactions: Vec::new(),
        attachments: Vec::new(),
    }
}

fn summary(id: u128, name: &str, last: Option<Message>) -> RoomSummary {
    RoomSummary {
        room: Room {
            id: nth(id),
            kind: RoomKind::Group,
            name: name.into(),
            topic: String::new(),
            visibility: Visibility::Public,
            created_at: at(-1000),
            member_count: 2,
            my_role: None,
            joined: true,
        },
        unread_count: 0,
        mention_count: 0,
        last_message: last,
        last_read_message_id: None,
        notification_level: NotificationLevel::All,
    }
}

fn pending(room: RoomId, cid: &str, min: i64) -> Pending {
    Pending {
        client_id: cid.into(),
        room_id: room,
        body: "hello".into(),
        reply_to: None,
        attachments: Vec::new(),
        created_at: at(min),
        failed: None,
        waiting: false,
    }
}

const ROOM: RoomId = RoomId::from_uuid(Uuid::from_u128(7));
const ME: u128 = 1;

#[test]
fn timeline_orders_by_seq_whatever_the_arrival_order() {
    let mut t = Timeline::default();
    t.merge(vec![msg(ROOM, 3, 2, 3), msg(ROOM, 1, 2, 1)]);
    t.insert(msg(ROOM, 2, 2, 2));
    let seqs: Vec<i64> = t.messages().map(|m| m.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
}

#[test]
fn owner_acts_on_everyone_else_moderator_on_members_only() {
    use protocol::Role;
    assert!(can_act_on(Role::Owner, Role::Moderator));
    assert!(can_act_on(Role::Owner, Role::Member));
    assert!(!can_act_on(Role::Owner, Role::Owner));
    assert!(can_act_on(Role::Moderator, Role::Member));
    assert!(!can_act_on(Role::Moderator, Role::Moderator));
    assert!(!can_act_on(Role::Moderator, Role::Owner));
    assert!(!can_act_on(Role::Member, Role::Member));
}

#[test]
fn a_live_reply_counts_on_its_parent_once() {
    let mut t = Timeline::default();
    t.merge(vec![msg(ROOM, 1, 2, 1)]);
    let parent = t.first().map(|m| m.id);
    let mut reply = msg(ROOM, 2, 3, 2);
    reply.reply_to = parent;
    t.insert(reply.clone());
    t.insert(reply);
    assert_eq!(t.first().map(|m| m.reply_count), Some(1));
}

#[test]
fn duplicates_by_id_are_kept_once() {
    let mut t = Timeline::default();
    assert_eq!(t.insert(msg(ROOM, 1, 2, 1)), Insert::Appended);
    assert_eq!(t.insert(msg(ROOM, 1, 2, 1)), Insert::Duplicate);
    t.merge(vec![msg(ROOM, 1, 2, 1), msg(ROOM, 2, 2, 2)]);
    assert_eq!(t.len(), 2);
}

#[test]
fn seq_jump_reports_a_gap_after_the_last_known_message() {
    let mut t = Timeline::default();
    t.insert(msg(ROOM, 1, 2, 1));
    assert_eq!(t.insert(msg(ROOM, 3, 2, 3)), Insert::Gap);
    assert_eq!(t.insert(msg(ROOM, 2, 2, 2)), Insert::Inserted);
    assert_eq!(t.insert(msg(ROOM, 4, 2, 4)), Insert::Appended);
}

#[test]
fn ack_replaces_the_optimistic_message_and_is_never_shown_twice() {
    let mut t = Timeline::default();
    t.add_pending(pending(ROOM, "c1", 1));
    t.add_pending(pending(ROOM, "c1", 1)); // a retry
    assert_eq!(t.pending().len(), 1);
    let mut stored = msg(ROOM, 1, ME, 1);
    stored.client_id = Some("c1".into());
    t.insert(stored.clone());
    assert!(t.pending().is_empty());
    // the same message again from catch-up or another tab
    t.merge(vec![stored.clone()]);
    t.insert(stored);
    assert_eq!(t.len(), 1);
    let r = rows(
        &t,
        nth(ME),
        at(2),
        FixedOffset::east_opt(0).expect("utc"),
        None,
        Window::Latest,
    );
    let bubbles = r.iter().filter(|r| !matches!(r, Row::Day { .. })).count();
    assert_eq!(bubbles, 1);
    // a late retry of an acked client id is not shown again
    t.add_pending(pending(ROOM, "c1", 3));
    assert!(t.pending().is_empty());
}

#[test]
fn message_from_another_tab_replaces_pending_by_client_id() {
    let mut t = Timeline::default();
    t.add_pending(pending(ROOM, "c9", 1));
    let mut m = msg(ROOM, 5, ME, 1);
    m.client_id = Some("c9".into());
    t.insert(m);
    assert!(t.pending().is_empty());
    assert_eq!(t.len(), 1);
}

#[test]
fn own_status_goes_sending_sent_seen() {
    let me = nth(ME);
    let mut t = Timeline::default();
    t.insert(msg(ROOM, 1, 2, 0));
    t.add_pending(pending(ROOM, "c1", 1));
    assert_eq!(t.own_status(me).map(|s| s.1), Some(MessageStatus::Sending));
    let mut m = msg(ROOM, 2, ME, 1);
    m.client_id = Some("c1".into());
    let id = m.id;
    t.insert(m);
    assert_eq!(
        t.own_status(me),
        Some((StatusKey::Message(id), MessageStatus::Sent))
    );
    t.set_read(me, id); // my own marker does not count
    assert_eq!(t.own_status(me).map(|s| s.1), Some(MessageStatus::Sent));
    t.set_read(nth(2), id);
    assert_eq!(t.own_status(me).map(|s| s.1), Some(MessageStatus::Seen));
    // markers never move back
    t.set_read(nth(2), msg(ROOM, 1, 2, 0).id);
    assert_eq!(t.own_status(me).map(|s| s.1), Some(MessageStatus::Seen));
}

#[test]
fn sidebar_orders_by_latest_activity() {
    let mut s = ChatState::default();
    let a = nth(10);
    let b = nth(11);
    s.set_rooms(vec![
        summary(10, "alpha", Some(msg(a, 1, 2, 5))),
        summary(11, "beta", Some(msg(b, 1, 2, 9))),
        summary(12, "gamma", None),
    ]);
    let names: Vec<String> = s.sorted_rooms().into_iter().map(|r| r.room.name).collect();
    assert_eq!(names, vec!["beta", "alpha", "gamma"]);
    s.receive(msg(a, 2, 2, 20));
    let names: Vec<String> = s.sorted_rooms().into_iter().map(|r| r.room.name).collect();
    assert_eq!(names, vec!["alpha", "beta", "gamma"]);
}

#[test]
fn unread_counts_and_total() {
    let mut s = ChatState {
        me: Some(nth(ME)),
        ..Default::default()
    };
    let a = nth(10);
    let b = nth(11);
    s.set_rooms(vec![summary(10, "a", None), summary(11, "b", None)]);
    s.receive(msg(a, 1, 2, 1));
    s.receive(msg(a, 2, 2, 2));
    s.receive(msg(a, 2, 2, 2)); // duplicate: not counted twice
    s.receive(msg(b, 1, 2, 1));
    s.receive(msg(b, 2, ME, 2)); // own: not unread
    assert_eq!(s.rooms[&a].unread_count, 2);
    assert_eq!(s.rooms[&b].unread_count, 1);
    assert_eq!(s.total_unread(), 3);
    // even the open room counts a message unread until the list saw it
    s.receive(msg(b, 3, 2, 3));
    assert_eq!(s.rooms[&b].unread_count, 2);
    // read on another tab up to message 1: one left
    assert!(!s.my_marker_moved(a, msg(a, 1, 2, 1).id));
    assert_eq!(s.rooms[&a].unread_count, 1);
    s.my_marker_moved(a, msg(a, 2, 2, 2).id);
    s.read_up_to(b, msg(b, 3, 2, 3).id);
    assert_eq!(s.total_unread(), 0);
}

#[test]
fn unread_between_skips_own_and_deleted_messages() {
    let mut t = Timeline::default();
    let mut deleted = msg(ROOM, 4, 2, 4);
    deleted.deleted = true;
    t.merge(vec![
        msg(ROOM, 1, 2, 1),
        msg(ROOM, 2, ME, 2),
        msg(ROOM, 3, 2, 3),
        deleted,
    ]);
    let me = nth(ME);
    assert_eq!(t.unread_between(0, 4, me), 2);
    assert_eq!(t.unread_between(1, 4, me), 1);
    assert_eq!(t.unread_between(3, 4, me), 0);
    assert_eq!(t.unread_between(3, 1, me), 0);
}

#[test]
fn scroll_decisions() {
    assert!(at_bottom(920.0, 1500.0, 500.0)); // 80 px away
    assert!(!at_bottom(900.0, 1500.0, 500.0)); // 100 px away
    assert!(at_bottom(0.0, 300.0, 500.0)); // no scrollbar at all
    assert_eq!(on_new_messages(true, false), ScrollAction::StickToBottom);
    assert_eq!(on_new_messages(false, false), ScrollAction::ShowPill);
    assert_eq!(on_new_messages(false, true), ScrollAction::StickToBottom);
}

#[test]
fn grouping_and_day_separators() {
    let me = nth(ME);
    let utc = FixedOffset::east_opt(0).expect("utc");
    let mut t = Timeline::default();
    let mut yesterday = msg(ROOM, 1, 2, -24 * 60);
    yesterday.body = "old".into();
    t.merge(vec![
        yesterday,
        msg(ROOM, 2, 2, 0),
        msg(ROOM, 3, 2, 1),
        msg(ROOM, 4, ME, 2),
        msg(ROOM, 5, 2, 30),
    ]);
    let r = rows(&t, me, at(31), utc, None, Window::Latest);
    let shape: Vec<String> = r
        .iter()
        .map(|r| match r {
            Row::Day { label } => format!("day {label}"),
            Row::Message {
                message,
                starts_group,
                mine,
                ..
            } => format!("{} {} {}", message.seq, starts_group, mine),
            Row::Pending { .. } => "pending".into(),
            Row::Unread => "unread".into(),
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            "day Yesterday",
            "1 true false",
            "day Today",
            "2 true false",
            "3 false false",
            "4 true true",
            "5 true false", // same sender as 3 but after another sender
        ]
    );
}

#[test]
fn a_reply_is_drawn_again_when_its_parent_is_edited() {
    let me = nth(ME);
    let mut t = Timeline::default();
    let mut parent = msg(ROOM, 1, 2, 0);
    let mut reply = msg(ROOM, 2, ME, 1);
    reply.reply_to = Some(parent.id);
    t.merge(vec![parent.clone(), reply.clone()]);
    let utc = FixedOffset::east_opt(0).expect("utc");
    let key_of_reply = |t: &Timeline| {
        rows(t, me, at(2), utc, None, Window::Latest)
            .iter()
            .find(|r| matches!(r, Row::Message { message, .. } if message.id == reply.id))
            .map(Row::key)
            .expect("the reply's row")
    };
    let before = key_of_reply(&t);
    parent.body = "m1, put better".to_owned();
    parent.edited_at = Some(at(1));
    t.update(parent);
    assert_ne!(key_of_reply(&t), before, "the quote follows the edit");
}

#[test]
fn long_bodies_fold_and_search_hits_are_marked() {
    assert!(!is_long("a few words"));
    assert!(is_long(&"word ".repeat(200)));
    assert!(is_long(&"line\n".repeat(20)));
    let marked = |text: &str, query: &str| -> Vec<String> {
        highlighted(text, query)
            .into_iter()
            .filter(|(_, hit)| *hit)
            .map(|(w, _)| w)
            .collect()
    };
    assert_eq!(
        marked("The Clipboard, clipped!", "clip"),
        ["Clipboard", "clipped"]
    );
    assert_eq!(marked("nothing here", "clip"), Vec::<String>::new());
    assert_eq!(marked("Ünïcode café", "CAF"), ["café"]);
    // The pieces put together are the text as it was.
    let text = "a, b; clip—clap";
    let whole: String = highlighted(text, "cl")
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(whole, text);
    assert_eq!(marked("x", "   "), Vec::<String>::new());
}

#[test]
fn replies_carry_their_parent() {
    let me = nth(ME);
    let mut t = Timeline::default();
    let parent = msg(ROOM, 1, 2, 0);
    let mut reply = msg(ROOM, 2, ME, 1);
    reply.reply_to = Some(parent.id);
    t.merge(vec![parent.clone(), reply]);
    let r = rows(
        &t,
        me,
        at(2),
        FixedOffset::east_opt(0).expect("utc"),
        None,
        Window::Latest,
    );
    let preview = r.iter().find_map(|r| match r {
        Row::Message {
            parent: Some(p), ..
        } => Some(p.clone()),
        _ => None,
    });
    let preview = preview.expect("reply has a parent preview");
    assert_eq!(preview.id, parent.id);
    assert_eq!(preview.body.as_deref(), Some("m1"));
    assert_eq!(preview.sender.as_deref(), Some("User 2"));
}

#[test]
fn relative_times() {
    let utc = FixedOffset::east_opt(0).expect("utc");
    assert_eq!(relative_time(at(0), at(0), utc), "just now");
    assert_eq!(relative_time(at(0), at(5), utc), "5 min ago");
    assert_eq!(relative_time(at(0), at(130), utc), "2 h ago");
    assert_eq!(relative_time(at(0), at(60 * 24), utc), "2026-01-10 12:00");
    assert_eq!(full_time(at(0), utc), "2026-01-10 12:00");
}

#[test]
fn typing_expires_and_names_people() {
    let mut s = ChatState {
        me: Some(nth(ME)),
        ..Default::default()
    };
    s.set_typing(ROOM, user(ME), 0.0); // never myself
    assert_eq!(s.typing_text(ROOM), None);
    s.set_typing(ROOM, user(2), 0.0);
    assert_eq!(s.typing_text(ROOM).as_deref(), Some("User 2 is typing…"));
    s.set_typing(ROOM, user(3), 1000.0);
    assert_eq!(
        s.typing_text(ROOM).as_deref(),
        Some("User 2 and User 3 are typing…")
    );
    assert!(s.expire_typing(TYPING_TTL_MS + 1.0));
    assert_eq!(s.typing_text(ROOM).as_deref(), Some("User 3 is typing…"));
    // a message from a typist ends their typing
    s.receive(msg(ROOM, 1, 3, 0));
    assert_eq!(s.typing_text(ROOM), None);
}

#[test]
fn outbox_holds_unacked_sends_in_order() {
    let mut s = ChatState::default();
    let other = nth(8);
    s.timeline(ROOM).add_pending(pending(ROOM, "b", 2));
    s.timeline(other).add_pending(pending(other, "a", 1));
    s.timeline(ROOM).add_pending(pending(ROOM, "c", 3));
    s.timeline(ROOM).fail_pending("c", "rate limited");
    let ids: Vec<String> = s.outbox().into_iter().map(|p| p.client_id).collect();
    assert_eq!(ids, vec!["a", "b"]);
}

// ---- socket events: what each one does to the state, and asks for ----

fn me() -> protocol::Me {
    protocol::Me {
        user: protocol::User {
            id: nth(ME),
            username: "me".into(),
            display_name: "Me".into(),
            bio: None,
            interests: None,
            avatar_url: None,
            created_at: None,
            online: true,
        },
        profile_visibility: protocol::ProfileVisibility::Public,
        email: None,
        two_factor: false,
    }
}

fn reading(room: Option<RoomId>) -> Context {
    Context {
        current_room: room,
        page_visible: true,
        now_ms: 0.0,
    }
}

/// A state signed in as `ME`, in `ROOM`, whose timeline holds seqs 1 and 2.
fn signed_in() -> ChatState {
    let mut s = ChatState {
        me: Some(nth(ME)),
        ..ChatState::default()
    };
    s.set_rooms(vec![summary(7, "general", Some(msg(ROOM, 2, 2, 2)))]);
    let t = s.timeline(ROOM);
    t.merge(vec![msg(ROOM, 1, 2, 1), msg(ROOM, 2, 2, 2)]);
    t.loaded = true;
    s
}

#[test]
fn a_message_in_the_open_room_is_unread_until_seen() {
    let mut s = signed_in();
    let m = msg(ROOM, 3, 2, 3);
    let out = s.apply(ServerEvent::Message { message: m }, &reading(Some(ROOM)));
    assert!(out.changed);
    assert_eq!(out.effects, vec![], "nothing is reported read by arriving");
    assert_eq!(s.rooms[&ROOM].unread_count, 1);
}

#[test]
fn read_markers_only_move_forward_and_history_changes_nothing() {
    let mut s = signed_in();
    for n in 3..=5 {
        s.receive(msg(ROOM, n, 2, n));
    }
    assert_eq!(s.rooms[&ROOM].unread_count, 3);
    let four = msg(ROOM, 4, 2, 4).id;
    assert_eq!(s.read_up_to(ROOM, four), Some(four));
    assert_eq!(s.rooms[&ROOM].unread_count, 1, "message 5 is still unseen");
    assert_eq!(
        s.read_up_to(ROOM, msg(ROOM, 2, 2, 2).id),
        None,
        "scrolling up into history reports nothing"
    );
    assert_eq!(
        s.rooms[&ROOM].last_read_message_id,
        Some(msg(ROOM, 4, 2, 4).id)
    );
    assert_eq!(s.rooms[&ROOM].unread_count, 1);
    assert_eq!(
        s.read_up_to(ROOM, four),
        None,
        "the same report twice is sent once"
    );
    let five = msg(ROOM, 5, 2, 5).id;
    assert_eq!(s.read_up_to(ROOM, five), Some(five));
    assert_eq!(s.rooms[&ROOM].unread_count, 0);
}

/// Bob read up to 2; his socket dropped while Alice wrote 3 and 4; his own
/// 5, sent over REST meanwhile, came back as an ack.
fn sent_across_a_hole() -> ChatState {
    let mut s = signed_in();
    s.rooms
        .get_mut(&ROOM)
        .expect("the room")
        .last_read_message_id = Some(msg(ROOM, 2, 2, 2).id);
    let out = s.apply(
        ServerEvent::Ack {
            client_id: "c-5".into(),
            message: msg(ROOM, 5, ME, 5),
        },
        &reading(Some(ROOM)),
    );
    assert_eq!(
        out.effects,
        vec![Effect::CatchUp(ROOM)],
        "the hole is fetched"
    );
    s
}

#[test]
fn catching_up_resumes_after_the_last_message_received_in_order() {
    let mut s = sent_across_a_hole();
    let t = s.timeline(ROOM);
    assert!(t.has_gap());
    assert_eq!(
        t.in_order().map(|m| m.seq),
        Some(2),
        "never after the newest held, which is the user's own"
    );
    t.merge(vec![msg(ROOM, 3, 2, 3), msg(ROOM, 4, 2, 4)]);
    assert!(!t.has_gap());
    assert_eq!(t.in_order().map(|m| m.seq), Some(5));
}

#[test]
fn reading_never_passes_messages_not_received() {
    let mut s = sent_across_a_hole();
    let five = msg(ROOM, 5, ME, 5).id;
    assert_eq!(
        s.read_up_to(ROOM, five),
        None,
        "the user's own message on screen reads nothing past the hole"
    );
    assert_eq!(
        s.rooms[&ROOM].last_read_message_id,
        Some(msg(ROOM, 2, 2, 2).id)
    );
    s.timeline(ROOM)
        .merge(vec![msg(ROOM, 3, 2, 3), msg(ROOM, 4, 2, 4)]);
    assert_eq!(
        s.read_up_to(ROOM, five),
        Some(five),
        "once shown, they are read"
    );

    // A reader past a hole moves the marker as far as the run goes.
    let mut s = sent_across_a_hole();
    s.timeline(ROOM).merge(vec![msg(ROOM, 3, 2, 3)]);
    let three = msg(ROOM, 3, 2, 3).id;
    assert_eq!(s.read_up_to(ROOM, five), Some(three));
}

#[test]
fn a_backlog_opened_where_it_starts_is_read_as_far_as_seen() {
    let mut s = signed_in();
    let newest = msg(ROOM, 2000, 2, 2000);
    {
        let r = s.rooms.get_mut(&ROOM).expect("the room");
        r.last_read_message_id = Some(msg(ROOM, 30, 2, 30).id);
        r.last_message = Some(newest);
        r.unread_count = 1970;
    }
    // The page around the first unread message, as `first-unread` gives it.
    let page: Vec<Message> = (7..=56).map(|n| msg(ROOM, n, 2, n)).collect();
    s.timeline(ROOM).show_window(page, 2000);
    let me = nth(ME);
    assert_eq!(
        s.timelines[&ROOM].first_unread(Some(msg(ROOM, 30, 2, 30).id), 1970, me),
        FirstUnread::At(msg(ROOM, 31, 2, 31).id)
    );
    let forty = msg(ROOM, 40, 2, 40).id;
    assert_eq!(s.read_up_to(ROOM, forty), Some(forty));
    assert_eq!(
        s.rooms[&ROOM].unread_count, 1960,
        "ten read, the rest of the backlog still unread"
    );
    // Reading to the end of what is held moves no further.
    let last_held = msg(ROOM, 56, 2, 56).id;
    assert_eq!(s.read_up_to(ROOM, last_held), Some(last_held));
    assert_eq!(s.rooms[&ROOM].unread_count, 1944);
    // "Mark as read" is the user's choice: everything.
    assert_eq!(s.mark_all_read(ROOM), Some(msg(ROOM, 2000, 2, 2000).id));
    assert_eq!(s.rooms[&ROOM].unread_count, 0);
}

#[test]
fn a_linked_message_another_page_brought_meanwhile_stays_where_it_is_drawn() {
    let mut s = signed_in();
    let linked = msg(ROOM, 40, 2, 40).id;
    let t = s.timeline(ROOM);
    // Where the unread messages start came first, and holds the message.
    t.show_window((1..=50).map(|n| msg(ROOM, n, 2, n)).collect(), 150);
    t.show_context((16..=65).map(|n| msg(ROOM, n, 2, n)).collect(), 150, linked);
    assert_eq!(t.first().map(|m| m.seq), Some(1), "what is drawn stays");
    assert_eq!(t.last().map(|m| m.seq), Some(50));

    // Not loaded: the stretch around it replaces what was there.
    t.show_window((101..=150).map(|n| msg(ROOM, n, 2, n)).collect(), 150);
    t.show_context((16..=65).map(|n| msg(ROOM, n, 2, n)).collect(), 150, linked);
    assert_eq!(t.first().map(|m| m.seq), Some(16));
    assert!(t.get(linked).is_some());
}

#[test]
fn jumping_from_a_backlog_to_the_newest_skips_it_by_choice() {
    let mut s = signed_in();
    {
        let r = s.rooms.get_mut(&ROOM).expect("the room");
        r.last_read_message_id = Some(msg(ROOM, 30, 2, 30).id);
        r.last_message = Some(msg(ROOM, 200, 2, 200));
        r.unread_count = 170;
    }
    let t = s.timeline(ROOM);
    t.show_window((7..=56).map(|n| msg(ROOM, n, 2, n)).collect(), 200);
    // "Jump to the newest": the backlog between is the user's to skip.
    t.show_newest((151..=200).map(|n| msg(ROOM, n, 2, n)).collect(), 50);
    let newest = msg(ROOM, 200, 2, 200).id;
    assert_eq!(s.read_up_to(ROOM, newest), Some(newest));
    assert_eq!(s.rooms[&ROOM].unread_count, 0);
}

#[test]
fn a_reconnect_loads_an_open_room_that_could_not_load_or_was_sent_to_from_history() {
    let ready = || ServerEvent::Ready {
        user: me(),
        rooms: vec![summary(7, "general", Some(msg(ROOM, 90, 2, 90)))],
    };
    let mut s = signed_in();
    s.timeline(ROOM).loaded = false;
    let out = s.apply(ready(), &reading(Some(ROOM)));
    assert!(
        out.effects.contains(&Effect::ReloadRoom(ROOM)),
        "{:?}",
        out.effects
    );

    let mut s = signed_in();
    let t = s.timeline(ROOM);
    t.show_window((10..=20).map(|n| msg(ROOM, n, 2, n)).collect(), 90);
    t.add_pending(pending(ROOM, "c-1", 30));
    let out = s.apply(ready(), &reading(Some(ROOM)));
    assert!(
        out.effects.contains(&Effect::ShowNewest(ROOM)),
        "{:?}",
        out.effects
    );
    let out = s.apply(ready(), &reading(None));
    assert!(
        !out.effects.contains(&Effect::ShowNewest(ROOM)),
        "only the room on screen"
    );
}

#[test]
fn a_marker_moved_elsewhere_to_a_message_not_held_refetches_the_counts() {
    let mut s = signed_in();
    s.rooms.get_mut(&ROOM).expect("the room").unread_count = 5;
    let out = s.apply(
        ServerEvent::Read {
            room_id: ROOM,
            user_id: nth(ME),
            message_id: nth(4242),
        },
        &reading(None),
    );
    assert_eq!(out.effects, vec![Effect::RefreshRooms]);
    assert_eq!(s.rooms[&ROOM].last_read_message_id, Some(nth(4242)));
}

#[test]
fn my_own_presence_is_my_connection() {
    let mut s = signed_in();
    let member = |id: u128, online: bool| protocol::Member {
        user: protocol::User {
            online,
            id: nth(id),
            ..me().user
        },
        role: protocol::Role::Member,
        joined_at: at(0),
        online,
    };
    s.apply(
        ServerEvent::Ready {
            user: me(),
            rooms: vec![summary(7, "general", Some(msg(ROOM, 2, 2, 2)))],
        },
        &reading(Some(ROOM)),
    );
    // The member list was fetched before the socket was up.
    s.set_members(ROOM, vec![member(ME, false), member(2, false)]);
    assert!(s.presence[&nth(ME)]);
    let members = s.timelines[&ROOM].members.clone().expect("members");
    assert!(members[0].online && !members[1].online);
    s.apply(
        ServerEvent::Presence {
            user_id: nth(ME),
            online: false,
        },
        &reading(Some(ROOM)),
    );
    assert!(s.presence[&nth(ME)], "the connection here says online");
    s.set_online(false);
    assert!(!s.presence[&nth(ME)]);
}

#[test]
fn a_send_that_cannot_reach_the_server_shows_as_waiting_until_the_reconnect() {
    let mut s = signed_in();
    s.timeline(ROOM).add_pending(pending(ROOM, "c-1", 4));
    let mine = nth(ME);
    assert_eq!(
        s.timelines[&ROOM].own_status(mine).map(|(_, st)| st),
        Some(MessageStatus::Sending)
    );
    let keys = |s: &ChatState| -> Vec<String> {
        let utc = FixedOffset::east_opt(0).expect("utc");
        rows(&s.timelines[&ROOM], mine, at(10), utc, None, Window::Latest)
            .iter()
            .map(Row::key)
            .collect()
    };
    let sending = keys(&s);
    s.timeline(ROOM).wait_pending("c-1");
    assert_eq!(
        s.timelines[&ROOM].own_status(mine).map(|(_, st)| st),
        Some(MessageStatus::Waiting)
    );
    assert_ne!(
        keys(&s),
        sending,
        "the row is drawn again with its new status"
    );
    s.apply(
        ServerEvent::Ready {
            user: me(),
            rooms: vec![summary(7, "general", Some(msg(ROOM, 2, 2, 2)))],
        },
        &reading(Some(ROOM)),
    );
    assert_eq!(
        s.timelines[&ROOM].own_status(mine).map(|(_, st)| st),
        Some(MessageStatus::Sending),
        "sent again after the reconnect"
    );
}

#[test]
fn the_divider_goes_at_the_first_unread_message() {
    let me = nth(ME);
    let mut t = Timeline::default();
    t.merge(vec![
        msg(ROOM, 1, 2, 1),
        msg(ROOM, 2, 2, 2),
        msg(ROOM, 3, ME, 3),
        msg(ROOM, 4, 2, 4),
        msg(ROOM, 5, 2, 5),
    ]);
    let id = |seq| msg(ROOM, seq, 2, seq).id;
    assert_eq!(
        t.first_unread(Some(id(2)), 2, me),
        FirstUnread::At(id(4)),
        "own messages are skipped"
    );
    assert_eq!(t.first_unread(Some(id(5)), 0, me), FirstUnread::None);
    // The marker is older than what is loaded: count back from the newest.
    assert_eq!(t.first_unread(Some(nth(1)), 3, me), FirstUnread::At(id(2)));
    assert_eq!(
        t.first_unread(None, 9, me),
        FirstUnread::At(id(1)),
        "the whole history"
    );
    t.has_older = true;
    assert_eq!(t.first_unread(None, 9, me), FirstUnread::Older);

    let rows = rows(
        &t,
        me,
        at(10),
        FixedOffset::east_opt(0).expect("utc"),
        Some(id(4)),
        Window::Latest,
    );
    let divider = rows
        .iter()
        .position(|r| *r == Row::Unread)
        .expect("a divider");
    assert!(
        matches!(&rows[divider + 1], Row::Message { message, starts_group: true, .. } if message.seq == 4)
    );
}

#[test]
fn receipts_sit_where_each_member_stopped_reading_others_words() {
    let me = nth(ME);
    let mut t = Timeline::default();
    t.merge(vec![
        msg(ROOM, 1, ME, 1),
        msg(ROOM, 2, 2, 2),
        msg(ROOM, 3, ME, 3),
    ]);
    let member = |n: u128| protocol::Member {
        user: protocol::User {
            id: nth(n),
            username: format!("u{n}"),
            display_name: format!("User {n}"),
            bio: None,
            interests: None,
            avatar_url: None,
            created_at: None,
            online: true,
        },
        role: protocol::Role::Member,
        joined_at: at(0),
        online: true,
    };
    t.members = Some(vec![member(ME), member(2), member(3), member(4)]);
    t.set_read(nth(ME), msg(ROOM, 3, ME, 3).id);
    t.set_read(nth(2), msg(ROOM, 3, ME, 3).id);
    t.set_read(nth(3), msg(ROOM, 2, 2, 2).id);
    let receipts = t.receipts(me);
    let names = |seq: i64| -> Vec<String> {
        receipts
            .get(&msg(ROOM, seq, 2, seq).id)
            .map(|us| us.iter().map(|u| u.display_name.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(names(3), vec!["User 2"], "not me, and only who read it");
    assert_eq!(
        names(2),
        vec!["User 3"],
        "user 2's own message is not where they show"
    );
    assert_eq!(names(1), Vec::<String>::new());
}

#[test]
fn a_stretch_of_history_keeps_no_live_messages_until_it_reaches_the_end() {
    let mut s = signed_in();
    s.rooms.get_mut(&ROOM).expect("room").last_message = Some(msg(ROOM, 90, 2, 90));
    let t = s.timeline(ROOM);
    t.show_window((40..=60).map(|n| msg(ROOM, n, 2, n)).collect(), 90);
    assert!(t.has_older && t.has_newer && t.loaded);
    assert_eq!(t.len(), 21, "what was loaded before is gone");
    let out = s.apply(
        ServerEvent::Message {
            message: msg(ROOM, 91, 2, 91),
        },
        &reading(Some(ROOM)),
    );
    assert_eq!(out.effects, vec![], "no catch-up across the gap");
    assert_eq!(s.timelines[&ROOM].len(), 21);
    assert_eq!(s.rooms[&ROOM].unread_count, 1, "but it counts");
    // An edit of a message in the stretch still shows.
    let mut edited = msg(ROOM, 50, 2, 50);
    edited.body = "changed".into();
    s.timeline(ROOM).update(edited);
    assert_eq!(
        s.timelines[&ROOM]
            .get(msg(ROOM, 50, 2, 50).id)
            .map(|m| m.body.as_str()),
        Some("changed")
    );

    let t = s.timeline(ROOM);
    t.show_newest(vec![msg(ROOM, 91, 2, 91)], 50);
    assert!(!t.has_newer && !t.has_older && t.loaded && t.len() == 1);
    assert_eq!(
        t.insert(msg(ROOM, 92, 2, 92)),
        Insert::Appended,
        "live again"
    );

    let t = s.timeline(ROOM);
    t.show_window((1..=20).map(|n| msg(ROOM, n, 2, n)).collect(), 20);
    assert!(!t.has_older && !t.has_newer, "the whole room");
}

#[test]
fn the_last_message_seen_is_found_by_position() {
    // Ten messages of 50 px, the view's bottom at 260 px.
    let rect = |i: usize| (i as f64 * 50.0, 50.0);
    assert_eq!(last_seen(10, rect, 260.0), Some(4), "0..=4 end by 250 px");
    assert_eq!(last_seen(10, rect, 20.0), None, "not even the first");
    assert_eq!(last_seen(10, rect, 10_000.0), Some(9));
    assert_eq!(last_seen(0, rect, 100.0), None);
    // A tall message counts once enough of it shows.
    let tall = |i: usize| (i as f64 * 400.0, 400.0);
    assert_eq!(last_seen(3, tall, 400.0 + SEEN_PX), Some(1));
}

#[test]
fn a_message_elsewhere_or_in_a_hidden_tab_counts_as_unread() {
    for cx in [
        reading(None),
        Context {
            page_visible: false,
            ..reading(Some(ROOM))
        },
    ] {
        let mut s = signed_in();
        let out = s.apply(
            ServerEvent::Message {
                message: msg(ROOM, 3, 2, 3),
            },
            &cx,
        );
        assert_eq!(out.effects, vec![]);
        assert_eq!(s.rooms[&ROOM].unread_count, 1);
    }
}

#[test]
fn a_message_after_a_gap_asks_to_catch_up_and_one_from_a_new_room_for_the_room_list() {
    let mut s = signed_in();
    let out = s.apply(
        ServerEvent::Message {
            message: msg(ROOM, 5, 2, 5),
        },
        &reading(None),
    );
    assert_eq!(out.effects, vec![Effect::CatchUp(ROOM)]);

    let elsewhere = nth(99);
    let out = s.apply(
        ServerEvent::Message {
            message: msg(elsewhere, 1, 2, 6),
        },
        &reading(None),
    );
    assert_eq!(out.effects, vec![Effect::RefreshRooms]);
}

#[test]
fn ready_catches_up_resyncs_markers_resends_the_outbox_and_rechecks_what_is_seen() {
    let mut s = signed_in();
    s.timeline(ROOM).add_pending(pending(ROOM, "c-1", 4));
    let out = s.apply(
        ServerEvent::Ready {
            user: me(),
            rooms: vec![summary(7, "general", Some(msg(ROOM, 2, 2, 2)))],
        },
        &reading(Some(ROOM)),
    );
    assert_eq!(
        out.effects,
        vec![
            Effect::CatchUp(ROOM),
            Effect::LoadReadMarkers(ROOM),
            Effect::Send(protocol::ClientFrame::Send {
                room_id: ROOM,
                body: "hello".into(),
                client_id: "c-1".into(),
                reply_to: None,
                attachments: Vec::new(),
            }),
            Effect::RecheckSeen,
            Effect::ResumeTyping,
            Effect::RefreshNotificationCount,
        ]
    );
}

#[test]
fn a_mention_lights_the_badge_unless_its_room_is_being_read() {
    let mention = |read: bool| ServerEvent::Notification {
        notification: protocol::Notification {
            id: nth(500),
            kind: protocol::NotificationKind::Mention,
            actor: None,
            room_id: Some(ROOM),
            message_id: None,
            created_at: at(3),
            read,
        },
    };
    let mut s = signed_in();
    let out = s.apply(mention(false), &reading(Some(ROOM)));
    assert!(!out.changed);
    assert_eq!(
        out.effects,
        vec![Effect::Notified {
            unread: true,
            alert: None
        }],
        "a visible tab shows no desktop notification"
    );
    assert_eq!(s.rooms[&ROOM].mention_count, 0);

    let out = s.apply(mention(false), &reading(None));
    assert!(out.changed);
    assert_eq!(s.rooms[&ROOM].mention_count, 1);
}

#[test]
fn a_hidden_tab_alerts_on_mentions_and_direct_messages_only() {
    let said = msg(ROOM, 2, 2, 2);
    let event = |kind| ServerEvent::Notification {
        notification: protocol::Notification {
            id: nth(501),
            kind,
            actor: Some(protocol::User {
                id: nth(2),
                username: "u2".into(),
                display_name: "Ann".into(),
                bio: None,
                interests: None,
                avatar_url: None,
                created_at: None,
                online: true,
            }),
            room_id: Some(ROOM),
            message_id: Some(said.id),
            created_at: at(3),
            read: false,
        },
    };
    let hidden = Context {
        page_visible: false,
        ..reading(Some(ROOM))
    };
    let mut s = signed_in();
    let out = s.apply(event(protocol::NotificationKind::Mention), &hidden);
    let Some(Effect::Notified {
        alert: Some(alert), ..
    }) = out.effects.first()
    else {
        panic!("no alert: {:?}", out.effects);
    };
    assert_eq!(alert.title, "Ann mentioned you in general");
    assert_eq!(alert.body, "m2", "the message itself, when known");
    assert_eq!(alert.room, Some(ROOM));
    let out = s.apply(event(protocol::NotificationKind::FriendRequest), &hidden);
    assert_eq!(
        out.effects,
        vec![Effect::Notified {
            unread: true,
            alert: None
        }]
    );
}

#[test]
fn events_that_show_nothing_change_nothing() {
    let mut s = signed_in();
    assert_eq!(
        s.apply(ServerEvent::Pong, &reading(None)),
        Applied::default()
    );
    let out = s.apply(
        ServerEvent::Error {
            code: protocol::ErrorCode::RateLimited,
            message: "slow down".into(),
            client_id: None,
        },
        &reading(None),
    );
    assert!(!out.changed);
}

#[test]
fn a_refused_send_fails_its_pending_message() {
    let mut s = signed_in();
    s.timeline(ROOM).add_pending(pending(ROOM, "c-9", 4));
    let out = s.apply(
        ServerEvent::Error {
            code: protocol::ErrorCode::BodyTooLong,
            message: "too long".into(),
            client_id: Some("c-9".into()),
        },
        &reading(None),
    );
    assert!(out.changed);
    assert_eq!(s.outbox(), vec![]);
    assert_eq!(
        s.timelines[&ROOM].pending()[0].failed.as_deref(),
        Some("too long")
    );
}

/// A timeline of `n` messages, seqs 1..=n, one a minute from one sender.
fn long(n: i64) -> Timeline {
    let mut t = Timeline::default();
    t.merge((1..=n).map(|s| msg(ROOM, s, 2, s)).collect());
    t
}

#[test]
fn a_long_timeline_is_drawn_a_window_at_a_time() {
    let t = long(5000);
    let utc = FixedOffset::east_opt(0).expect("utc");
    let messages = |w: Window| -> Vec<i64> {
        rows(&t, nth(ME), at(6000), utc, None, w)
            .into_iter()
            .filter_map(|r| match r {
                Row::Message { message, .. } => Some(message.seq),
                _ => None,
            })
            .collect()
    };
    let latest = messages(Window::Latest);
    assert_eq!(
        latest,
        (5000 - WINDOW as i64 + 1..=5000).collect::<Vec<_>>()
    );

    // Up from the bottom: the window freezes, then moves by a step.
    let up = t.window_up(Window::Latest).expect("older messages");
    assert_eq!(up, Window::Span { lo: 4801, hi: 4950 });
    assert_eq!(messages(up).len(), WINDOW);
    // All the way to the top and back.
    let mut w = up;
    let mut steps = 1;
    while let Some(next) = t.window_up(w) {
        w = next;
        steps += 1;
    }
    assert_eq!(w, Window::Span { lo: 1, hi: 150 });
    assert_eq!(steps, 4850 / STEP, "a step at a time");
    while let Some(next) = t.window_down(w) {
        w = next;
    }
    assert_eq!(w, Window::Latest);

    // A message far up gets a window with some history above it.
    let at_100 = t.window_at(100);
    assert_eq!(at_100, Window::Span { lo: 51, hi: 200 });
    assert!(messages(at_100).contains(&100));
    assert_eq!(t.window_at(4990), Window::Latest);
}

#[test]
fn the_first_row_of_a_window_continues_the_one_above() {
    let t = long(300);
    let utc = FixedOffset::east_opt(0).expect("utc");
    let r = rows(
        &t,
        nth(ME),
        at(400),
        utc,
        None,
        Window::Span { lo: 100, hi: 120 },
    );
    assert!(
        matches!(&r[0], Row::Message { message, starts_group: false, .. } if message.seq == 100),
        "no day separator or header in the middle of a run: {:?}",
        r.first().map(Row::key)
    );
}

/// Issue 23, item 19: what the browser keeps between visits.
#[test]
fn the_kept_copy_holds_the_rooms_opened_last_their_newest_page_and_the_outbox() {
    let (a, b) = (nth::<RoomId>(7), nth::<RoomId>(8));
    let mut s = ChatState::default();
    s.set_rooms(vec![
        summary(7, "a", None),
        summary(8, "b", None),
        summary(9, "c", None),
    ]);
    let t = s.timeline(a);
    t.merge((1..=80).map(|seq| msg(a, seq, 2, seq)).collect());
    t.loaded = true;
    s.timeline(b).merge(vec![msg(b, 1, 2, 0)]); // never loaded: not kept
    let c = nth::<RoomId>(9);
    let t = s.timeline(c);
    t.merge(vec![msg(c, 1, 2, 0)]);
    t.loaded = true; // loaded, not opened here: kept after the opened ones
    s.timeline(a).add_pending(pending(a, "c1", 90));

    let saved = s.saved(&[a, b, nth(42)]);
    assert_eq!(saved.rooms.len(), 3);
    let kept_rooms: Vec<RoomId> = saved.pages.iter().map(|(r, _)| *r).collect();
    assert_eq!(kept_rooms, [a, c]);
    let (kept, page) = &saved.pages[0];
    assert_eq!(*kept, a);
    assert_eq!(page.len(), SAVED_PAGE);
    assert_eq!(page.first().map(|m| m.seq), Some(31));
    assert_eq!(page.last().map(|m| m.seq), Some(80));
    assert_eq!(saved.outbox.len(), 1);

    // It survives the trip through storage.
    let json = serde_json::to_string(&saved).expect("serialised");
    let back: Saved = serde_json::from_str(&json).expect("read back");
    assert_eq!(back, saved);
}

#[test]
fn a_kept_copy_shows_until_the_network_answers_and_its_outbox_stays() {
    let a = ROOM;
    let mut saved = Saved {
        rooms: vec![summary(7, "a", None)],
        pages: vec![(a, vec![msg(a, 1, 2, 0), msg(a, 2, 2, 1)])],
        outbox: vec![pending(a, "c1", 3)],
    };
    let mut s = ChatState::default();
    s.restore(saved.clone());
    assert!(s.from_saved && s.rooms_loaded);
    let t = &s.timelines[&a];
    assert!(t.loaded);
    assert_eq!(t.len(), 2);
    assert_eq!(t.pending().len(), 1);
    assert!(t.pending()[0].waiting, "it waits for the connection");
    // Taken in twice, the outbox is still one message.
    saved.pages.clear();
    s.restore(saved);
    assert_eq!(s.timelines[&a].pending().len(), 1);

    // What the network brought meanwhile (a read marker) outlives the copy.
    s.timeline(a).read_seq.insert(nth(2), 1);

    // The network answers: pages go, the waiting message stays.
    assert!(s.leave_saved());
    let t = &s.timelines[&a];
    assert!(!t.loaded);
    assert_eq!(t.len(), 0);
    assert_eq!(t.pending().len(), 1);
    assert_eq!(t.read_seq.get(&nth(2)), Some(&1));
    assert!(!s.leave_saved(), "once");

    // Once it has answered, a copy brings only its outbox.
    let mut online = ChatState::default();
    online.set_rooms(vec![summary(7, "a", None)]);
    online.restore(Saved {
        rooms: Vec::new(),
        pages: vec![(a, vec![msg(a, 1, 2, 0)])],
        outbox: vec![pending(a, "c2", 3)],
    });
    assert!(!online.from_saved);
    assert_eq!(online.rooms.len(), 1);
    assert_eq!(online.timelines[&a].len(), 0);
    assert_eq!(online.timelines[&a].pending().len(), 1);
}
