DROP TABLE friend_request_notices;
