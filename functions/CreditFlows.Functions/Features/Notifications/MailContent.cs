using System.Net;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>
/// A file sent with a mail, read from the app's blob storage when the mail is sent (queue messages are too small
/// to carry it). With <see cref="ContentId"/> it is inline: the HTML shows it as <c>&lt;img src="cid:…"&gt;</c>.
/// With <see cref="Link"/> (where a signed-in reader can download it) the file may be left out of a mail that would
/// otherwise pass <see cref="MailOptions.MaxAttachmentBytes"/>, and the mail lists the link instead.
/// </summary>
public sealed record MailAttachment(string Container, string Blob, string FileName, string ContentType, string? ContentId = null, string? Link = null);

/// <summary>One email: plain text always, HTML and attachments when the sender has them.</summary>
public sealed record MailContent(
    IReadOnlyList<(string Email, string Name)> To,
    string Subject,
    string Text,
    string? Html = null,
    IReadOnlyList<MailAttachment>? Attachments = null);

/// <summary>
/// SendGrid did not take a mail. <see cref="Transient"/> (429, 5xx, no answer) is worth another try, after
/// <see cref="RetryAfter"/> when SendGrid said; anything else (400, 401, 403, 413) will fail the same way again.
/// </summary>
public sealed class MailDeliveryException(string message, HttpStatusCode? status, bool transient, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public bool Transient { get; } = transient;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;
}
