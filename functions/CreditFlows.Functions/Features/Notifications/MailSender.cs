using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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
}

/// <summary>Sends one email through SendGrid's client (or, locally, its capture endpoint).</summary>
public sealed class MailSender(IHttpClientFactory httpClients, IOptions<MailOptions> options, IHostEnvironment environment, IServer server)
{
    public const string LocalApiKey = "SG.local-capture-key";

    public bool Captures => environment.IsDevelopment() && (options.Value.CaptureLocally ?? true);

    public async Task SendAsync(IReadOnlyList<(string Email, string Name)> to, string subject, string text, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = new SendGridClient(httpClients.CreateClient(nameof(MailSender)), new SendGridClientOptions
        {
            ApiKey = Captures ? LocalApiKey : settings.SendGridApiKey ?? throw new InvalidOperationException("Mail:SendGridApiKey is not set."),
            Host = Captures ? CaptureHost() : settings.SendGridHost ?? "https://api.sendgrid.com",
        });
        var message = MailHelper.CreateSingleEmailToMultipleRecipients(
            new EmailAddress(settings.From, settings.FromName),
            to.Select(t => new EmailAddress(t.Email, t.Name)).ToList(),
            subject,
            text,
            WebUtility.HtmlEncode(text).Replace("\n", "<br>", StringComparison.Ordinal));
        var response = await client.SendEmailAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Body.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"SendGrid answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
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
