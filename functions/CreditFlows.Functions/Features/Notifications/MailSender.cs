using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>
/// Settings of section <c>Mail</c>. In Azure: <c>Mail__SendGridApiKey</c> (a Key Vault reference) and a
/// verified <c>Mail__From</c>. Locally (<see cref="CaptureLocally"/>, on by default in Development) the real
/// SendGrid client talks to this app's own <c>/dev/mail</c> endpoint instead, which keeps what it receives.
/// </summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    public string From { get; set; } = "credit@creditflows.local";

    public string FromName { get; set; } = "CreditFlows 信贷流程";

    public string? SendGridApiKey { get; set; }

    /// <summary>The SendGrid API host; null for the real one.</summary>
    public string? SendGridHost { get; set; }

    /// <summary>Send to this app's capture endpoint (Development only).</summary>
    public bool? CaptureLocally { get; set; }

    /// <summary>Tries per notification (the first send included) before it goes to <c>notifications-poison</c>.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Wait before the second try; it doubles for each further try, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a delivery's claim on a notification holds while it talks to SendGrid. A second copy of the
    /// message that finds a younger claim waits this long and looks again; an older claim is taken over (its
    /// holder stopped). Longer than any SendGrid call can take.
    /// </summary>
    public TimeSpan SendClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most a mail's attachments may add up to, base64-encoded as they are sent. SendGrid refuses a mail over 30 MB
    /// in all; the default 25,000,000 leaves room for the rest. An attachment with a link that would pass this is left
    /// out and the mail lists its link instead; 0 sends every such file as a link only (no ledgers in mailboxes).
    /// </summary>
    public long MaxAttachmentBytes { get; set; } = 25_000_000;

    public IEnumerable<string> Problems()
    {
        if (MaxAttempts is < 1 or > 50)
        {
            yield return "Mail:MaxAttempts must be 1 to 50.";
        }

        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay || RetryMaxDelay > TimeSpan.FromDays(6))
        {
            yield return "Mail:RetryBaseDelay must be positive and at most Mail:RetryMaxDelay, which must be at most 6 days.";
        }

        if (SendClaimTimeout < TimeSpan.FromSeconds(5) || SendClaimTimeout > TimeSpan.FromHours(1))
        {
            yield return "Mail:SendClaimTimeout must be 5 seconds to 1 hour.";
        }

        if (MaxAttachmentBytes is < 0 or > 30_000_000)
        {
            yield return "Mail:MaxAttachmentBytes must be 0 to 30000000 (SendGrid's limit for a whole mail is 30 MB).";
        }
    }

    /// <summary>The wait before try <paramref name="attempt"/> + 1 (attempt counts from 1), at least what SendGrid asked for.</summary>
    public TimeSpan DelayAfter(int attempt, TimeSpan? retryAfter)
    {
        var backOff = TimeSpan.FromTicks(Math.Min(RetryMaxDelay.Ticks, RetryBaseDelay.Ticks * (1L << Math.Clamp(attempt - 1, 0, 20))));
        return retryAfter is { } asked && asked > backOff ? (asked > RetryMaxDelay ? RetryMaxDelay : asked) : backOff;
    }
}

/// <summary>Sends one email through SendGrid's client (or, locally, its capture endpoint).</summary>
public sealed class MailSender(IHttpClientFactory httpClients, IOptions<MailOptions> options, IHostEnvironment environment, IServer server, BlobServiceClient blobs)
{
    public const string LocalApiKey = "SG.local-capture-key";

    public bool Captures => environment.IsDevelopment() && (options.Value.CaptureLocally ?? true);

    /// <summary>Sends <paramref name="mail"/>; throws <see cref="MailDeliveryException"/> when SendGrid does not take it.</summary>
    public async Task SendAsync(MailContent mail, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = new SendGridClient(httpClients.CreateClient(nameof(MailSender)), new SendGridClientOptions
        {
            ApiKey = Captures ? LocalApiKey : settings.SendGridApiKey ?? throw new InvalidOperationException("Mail:SendGridApiKey is not set."),
            Host = Captures ? CaptureHost() : settings.SendGridHost ?? "https://api.sendgrid.com",
        });
        // Inline files first (the HTML needs them), then the others while they fit; a file with a link that does not fit
        // is left out and listed with its link.
        var attachments = new List<Attachment>();
        var linked = new List<(MailAttachment File, long Bytes)>();
        long encoded = 0;
        foreach (var attachment in (mail.Attachments ?? []).OrderBy(a => a.ContentId is null))
        {
            var file = blobs.GetBlobContainerClient(attachment.Container).GetBlobClient(attachment.Blob);
            if (attachment is { ContentId: null, Link: not null })
            {
                var length = (await file.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
                if (encoded + Base64Length(length) > settings.MaxAttachmentBytes)
                {
                    linked.Add((attachment, length));
                    continue;
                }
            }

            var content = (await file.DownloadContentAsync(cancellationToken)).Value.Content;
            encoded += Base64Length(content.ToMemory().Length);
            attachments.Add(new Attachment
            {
                Content = Convert.ToBase64String(content.ToMemory().Span),
                Filename = attachment.FileName,
                Type = attachment.ContentType,
                Disposition = attachment.ContentId is null ? "attachment" : "inline",
                ContentId = attachment.ContentId,
            });
        }

        var (text, html) = WithLinks(mail.Text, mail.Html ?? WebUtility.HtmlEncode(mail.Text).Replace("\n", "<br>", StringComparison.Ordinal), linked);
        var message = MailHelper.CreateSingleEmailToMultipleRecipients(
            new EmailAddress(settings.From, settings.FromName),
            mail.To.Select(t => new EmailAddress(t.Email, t.Name)).ToList(),
            mail.Subject,
            text,
            html);
        foreach (var attachment in attachments)
        {
            message.AddAttachment(attachment);
        }

        Response response;
        try
        {
            response = await client.SendEmailAsync(message, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new MailDeliveryException($"SendGrid could not be reached: {ex.Message}", null, transient: true, inner: ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MailDeliveryException("SendGrid did not answer in time.", null, transient: true, inner: ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Body.ReadAsStringAsync(cancellationToken);
            var retryAfter = response.Headers?.RetryAfter is { } header
                ? header.Delta ?? (header.Date is { } at ? at - DateTimeOffset.UtcNow : null)
                : null;
            throw new MailDeliveryException($"SendGrid answered {(int)response.StatusCode}: {(body.Length > 500 ? body[..500] : body)}",
                response.StatusCode, MailDeliveryException.IsTransient(response.StatusCode), retryAfter);
        }
    }

    private string CaptureHost()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no address yet.");
        return address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal).TrimEnd('/')
            + MailCaptureEndpoints.Path;
    }

    private static long Base64Length(long bytes) => (bytes + 2) / 3 * 4;

    /// <summary>The text and HTML with a list of the files left out, each with its size and link.</summary>
    private static (string Text, string Html) WithLinks(string text, string html, IReadOnlyList<(MailAttachment File, long Bytes)> linked)
    {
        if (linked.Count == 0)
        {
            return (text, html);
        }

        const string Heading = "未随邮件附上的文件（邮件大小限制），请登录后下载 / Not attached (mail size limit); sign in to download:";
        static string Size(long bytes) => bytes >= 1_000_000
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1_000_000.0:0.0} MB")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Math.Max(1, bytes / 1000)} KB");
        var lines = string.Join("\n", linked.Select(l => $"- {l.File.FileName} ({Size(l.Bytes)}): {l.File.Link}"));
        var items = string.Concat(linked.Select(l =>
            $"<li><a href=\"{WebUtility.HtmlEncode(l.File.Link)}\">{WebUtility.HtmlEncode(l.File.FileName)}</a> ({Size(l.Bytes)})</li>"));
        var block = $"<p>{WebUtility.HtmlEncode(Heading)}</p><ul>{items}</ul>";
        var at = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return ($"{text}\n\n{Heading}\n{lines}\n", at < 0 ? html + block : html.Insert(at, block));
    }
}
