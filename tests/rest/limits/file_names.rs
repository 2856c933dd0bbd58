//! Attachment names lose the characters that change how text is shown.

use themechat_tests::files::Upload;
use themechat_tests::*;

#[tokio::test]
async fn direction_overrides_are_taken_out_of_attachment_names() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let room = id_of(&app.create_room(&alice, "Invoices", "public").await);
    // Shown as "invoiceexe.pdf": a program dressed as a document.
    let file = Upload::new(
        "invoice\u{202E}fdp.exe",
        "application/pdf",
        b"MZ\x90\x00".to_vec(),
    );
    let attachment = app.attach(&alice, &room, &file).await;
    assert_eq!(attachment["name"], "invoicefdp.exe");

    // Every invisible or direction-changing character goes, as in names
    // of people and rooms; what is left is what was seen.
    let file = Upload::new(
        "\u{2067}re\u{200B}port\u{2069}\u{FEFF}.txt",
        "text/plain",
        b"words".to_vec(),
    );
    let attachment = app.attach(&alice, &room, &file).await;
    assert_eq!(attachment["name"], "report.txt");
    let fetched = app
        .get(
            &format!("/api/v1/attachments/{}", id_of(&attachment)),
            alice.auth(),
        )
        .await;
    assert_status(&fetched, 200);
    let disposition = fetched.header("content-disposition").unwrap();
    assert!(
        disposition.contains("filename=\"report.txt\"")
            && disposition.contains("filename*=UTF-8''report.txt"),
        "{disposition}"
    );

    // A name made only of them is no name.
    let file = Upload::new("\u{202E}\u{202D}", "text/plain", b"words".to_vec());
    let attachment = app.attach(&alice, &room, &file).await;
    assert_eq!(attachment["name"], "file");
}
