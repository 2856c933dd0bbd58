//! The one portable schema for both backends (see `migrations/`).
//! Written by hand: only types Diesel's `MultiConnection` supports.

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        username_key -> Text,
        password_hash -> Text,
        display_name -> Text,
        bio -> Text,
        interests -> Text,
        avatar_url -> Nullable<Text>,
        email -> Nullable<Text>,
        profile_visibility -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        client -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        previous_hash -> Nullable<Text>,
        rotated_at -> Nullable<Timestamp>,
        address -> Nullable<Text>,
    }
}

diesel::table! {
    rooms (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        topic -> Text,
        visibility -> Text,
        direct_key -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_seq -> BigInt,
        last_activity_at -> Timestamp,
    }
}

diesel::table! {
    memberships (room_id, user_id) {
        room_id -> Text,
        user_id -> Text,
        role -> Text,
        notification_level -> Text,
        joined_at -> Timestamp,
    }
}

diesel::table! {
    membership_events (id) {
        id -> Text,
        room_id -> Text,
        user_id -> Text,
        actor_id -> Nullable<Text>,
        kind -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    room_bans (room_id, user_id) {
        room_id -> Text,
        user_id -> Text,
        actor_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invites (room_id, user_id) {
        room_id -> Text,
        user_id -> Text,
        inviter_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        room_id -> Text,
        seq -> BigInt,
        sender_id -> Nullable<Text>,
        body -> Text,
        client_id -> Nullable<Text>,
        reply_to -> Nullable<Text>,
        reply_count -> BigInt,
        deleted -> Bool,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mentions (message_id, user_id) {
        message_id -> Text,
        user_id -> Text,
        room_id -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    read_markers (room_id, user_id) {
        room_id -> Text,
        user_id -> Text,
        message_id -> Text,
        seq -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        room_id -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        target_user_id -> Nullable<Text>,
        message_id -> Nullable<Text>,
        detail -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    friendships (user_id, friend_id) {
        user_id -> Text,
        friend_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    friend_requests (id) {
        id -> Text,
        from_id -> Text,
        to_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    friend_request_notices (from_id, to_id) {
        from_id -> Text,
        to_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    blocks (blocker_id, blocked_id) {
        blocker_id -> Text,
        blocked_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        actor_id -> Nullable<Text>,
        room_id -> Nullable<Text>,
        message_id -> Nullable<Text>,
        created_at -> Timestamp,
        read -> Bool,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        room_id -> Nullable<Text>,
        other_user_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reactions (message_id, emoji, user_id) {
        message_id -> Text,
        user_id -> Text,
        emoji -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    message_edits (id) {
        id -> Text,
        message_id -> Text,
        body -> Text,
        written_at -> Timestamp,
        replaced_at -> Timestamp,
    }
}

diesel::table! {
    pins (message_id) {
        message_id -> Text,
        room_id -> Text,
        pinned_by -> Nullable<Text>,
        pinned_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(memberships -> rooms (room_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(messages -> rooms (room_id));
diesel::joinable!(messages -> users (sender_id));
diesel::joinable!(audit_log -> users (actor_id));
diesel::joinable!(notifications -> users (actor_id));
diesel::table! {
    attachments (id) {
        id -> Text,
        room_id -> Text,
        uploader_id -> Nullable<Text>,
        message_id -> Nullable<Text>,
        position -> Integer,
        name -> Text,
        content_type -> Text,
        size -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        thumbnail -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    photos (id) {
        id -> Text,
        owner_id -> Text,
        content_type -> Text,
        size -> BigInt,
        width -> Integer,
        height -> Integer,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    two_factor (user_id) {
        user_id -> Text,
        secret -> Text,
        enabled_at -> Nullable<Timestamp>,
        last_step -> BigInt,
    }
}

diesel::table! {
    recovery_codes (code_hash) {
        code_hash -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    event_queues (id) {
        id -> Text,
        user_id -> Text,
        session_id -> Text,
        last_event_id -> BigInt,
        node -> Nullable<Text>,
        pumped_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        polled_at -> Timestamp,
    }
}

diesel::table! {
    queued_events (queue_id, id) {
        queue_id -> Text,
        id -> BigInt,
        frame -> Text,
    }
}

diesel::table! {
    bots (user_id) {
        user_id -> Text,
        owner_id -> Text,
        description -> Text,
        created_at -> Timestamp,
        outgoing_url -> Nullable<Text>,
        outgoing_trigger -> Nullable<Text>,
        outgoing_secret -> Nullable<Text>,
        outgoing_queue -> Nullable<Text>,
        outgoing_seen -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    bot_tokens (session_id) {
        session_id -> Text,
        bot_id -> Text,
        name -> Text,
        token_hash -> Text,
        scopes -> Text,
    }
}

diesel::table! {
    incoming_webhooks (id) {
        id -> Text,
        bot_id -> Text,
        room_id -> Text,
        name -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(bots -> users (user_id));
diesel::joinable!(bot_tokens -> sessions (session_id));
diesel::joinable!(reactions -> messages (message_id));
diesel::joinable!(message_edits -> messages (message_id));
diesel::joinable!(pins -> messages (message_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    rooms,
    memberships,
    membership_events,
    room_bans,
    invites,
    messages,
    mentions,
    read_markers,
    audit_log,
    friendships,
    friend_requests,
    friend_request_notices,
    blocks,
    notifications,
    activities,
    reactions,
    message_edits,
    pins,
    attachments,
    photos,
    two_factor,
    recovery_codes,
    event_queues,
    queued_events,
    bots,
    bot_tokens,
    incoming_webhooks,
);
