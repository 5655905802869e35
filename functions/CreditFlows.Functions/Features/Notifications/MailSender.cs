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
        var message = MailHelper.CreateSingleEmailToMultipleRecipients(
            new EmailAddress(settings.From, settings.FromName),
            mail.To.Select(t => new EmailAddress(t.Email, t.Name)).ToList(),
            mail.Subject,
            mail.Text,
            mail.Html ?? WebUtility.HtmlEncode(mail.Text).Replace("\n", "<br>", StringComparison.Ordinal));
        foreach (var attachment in mail.Attachments ?? [])
        {
            var content = (await blobs.GetBlobContainerClient(attachment.Container).GetBlobClient(attachment.Blob).DownloadContentAsync(cancellationToken)).Value.Content;
            message.AddAttachment(new Attachment
            {
                Content = Convert.ToBase64String(content.ToMemory().Span),
                Filename = attachment.FileName,
                Type = attachment.ContentType,
                Disposition = attachment.ContentId is null ? "attachment" : "inline",
                ContentId = attachment.ContentId,
            });
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
}
