DROP TABLE incoming_webhooks;
DROP TABLE bot_tokens;
DROP TABLE bots;
