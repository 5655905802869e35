using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>
/// Development only: a stand-in for SendGrid's <c>POST /v3/mail/send</c> at <c>/dev/mail</c>, keeping each
/// message as a blob in container <c>mail-capture</c>, and <c>GET /dev/mail</c> listing them newest first
/// (to, subject, text, attachments), so mail can be seen and tested without sending any.
/// <c>GET /dev/mail/{id}</c> answers the message as SendGrid received it; <c>GET /dev/mail/{id}/html</c> shows its
/// HTML in a browser, with inline images (<c>cid:</c>) in place.
/// </summary>
public static class MailCaptureEndpoints
{
    public const string Path = "/dev/mail";

    public sealed record CapturedMail(string Id, DateTimeOffset ReceivedAt, IReadOnlyList<string> To, string Subject, string Text,
        bool HasHtml = false, IReadOnlyList<CapturedAttachment>? Attachments = null);

    public sealed record CapturedAttachment(string FileName, string Type, string Disposition, string? ContentId, int Bytes);

    private static async Task<JsonNode?> ReadAsync(BlobServiceClient blobs, string id, CancellationToken cancellationToken)
    {
        if (id.Length > 100 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
        {
            return null;
        }

        var blob = blobs.GetBlobContainerClient(StorageNames.Containers.MailCapture).GetBlobClient(id);
        var content = await blob.ExistsAsync(cancellationToken) ? (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString() : null;
        return content is null ? null : JsonNode.Parse(content);
    }

    public static IEndpointRouteBuilder MapMailCaptureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost($"{Path}/v3/mail/send", async (HttpRequest request, BlobServiceClient blobs, TimeProvider time, CancellationToken cancellationToken) =>
            {
                if (request.Headers.Authorization.ToString() != $"Bearer {MailSender.LocalApiKey}")
                {
                    return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The capture endpoint takes the local capture key only.");
                }

                using var reader = new StreamReader(request.Body);
                var body = await reader.ReadToEndAsync(cancellationToken);
                try
                {
                    JsonNode.Parse(body);
                }
                catch (JsonException)
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", detail: "body: is not JSON.");
                }

                var now = time.GetUtcNow();
                var name = $"{DateTime.MaxValue.Ticks - now.UtcTicks:D19}-{Guid.NewGuid():N}.json";
                await blobs.GetBlobContainerClient(StorageNames.Containers.MailCapture).UploadBlobAsync(name, BinaryData.FromString(body), cancellationToken);
                return Results.Accepted();
            })
            .ExcludeFromDescription();

        app.MapGet(Path, async (BlobServiceClient blobs, int? take, CancellationToken cancellationToken) =>
            {
                var container = blobs.GetBlobContainerClient(StorageNames.Containers.MailCapture);
                var mails = new List<CapturedMail>();
                await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken))
                {
                    if (mails.Count >= Math.Clamp(take ?? 100, 1, 1000))
                    {
                        break;
                    }

                    var content = (await container.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken)).Value.Content.ToString();
                    var json = JsonNode.Parse(content)!;
                    var to = json["personalizations"]?.AsArray().SelectMany(p => p?["to"]?.AsArray() ?? []).Select(t => t?["email"]?.GetValue<string>() ?? "").ToList() ?? [];
                    var text = json["content"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == "text/plain")?["value"]?.GetValue<string>() ?? "";
                    var attachments = json["attachments"]?.AsArray().Select(a => new CapturedAttachment(
                        a?["filename"]?.GetValue<string>() ?? "",
                        a?["type"]?.GetValue<string>() ?? "",
                        a?["disposition"]?.GetValue<string>() ?? "attachment",
                        a?["content_id"]?.GetValue<string>(),
                        (a?["content"]?.GetValue<string>()?.Length ?? 0) / 4 * 3)).ToList() ?? [];
                    var hasHtml = json["content"]?.AsArray().Any(c => c?["type"]?.GetValue<string>() == "text/html") == true;
                    mails.Add(new CapturedMail(item.Name, item.Properties.CreatedOn ?? default, to, json["subject"]?.GetValue<string>() ?? "", text, hasHtml, attachments));
                }

                return Results.Ok(mails);
            })
            .ExcludeFromDescription();

        app.MapGet($"{Path}/{{id}}", async (string id, BlobServiceClient blobs, CancellationToken cancellationToken) =>
                await ReadAsync(blobs, id, cancellationToken) is { } json
                    ? Results.Text(json.ToJsonString(), "application/json")
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No captured mail '{id}'."))
            .ExcludeFromDescription();

        app.MapGet($"{Path}/{{id}}/html", async (string id, BlobServiceClient blobs, CancellationToken cancellationToken) =>
            {
                if (await ReadAsync(blobs, id, cancellationToken) is not { } json)
                {
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No captured mail '{id}'.");
                }

                var html = json["content"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == "text/html")?["value"]?.GetValue<string>() ?? "";
                foreach (var inline in json["attachments"]?.AsArray().Where(a => a?["content_id"] is not null) ?? [])
                {
                    html = html.Replace($"cid:{inline!["content_id"]!.GetValue<string>()}",
                        $"data:{inline["type"]?.GetValue<string>()};base64,{inline["content"]?.GetValue<string>()}", StringComparison.Ordinal);
                }

                return Results.Content(html, "text/html; charset=utf-8");
            })
            .ExcludeFromDescription();
        return app;
    }
}
