using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>
/// Development only: a stand-in for SendGrid's <c>POST /v3/mail/send</c> at <c>/dev/mail</c>, keeping each
/// message as a blob in container <c>mail-capture</c>, and <c>GET /dev/mail</c> listing them newest first
/// (to, subject, text), so mail can be seen and tested without sending any.
/// </summary>
public static class MailCaptureEndpoints
{
    public const string Path = "/dev/mail";

    public sealed record CapturedMail(string Id, DateTimeOffset ReceivedAt, IReadOnlyList<string> To, string Subject, string Text);

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
                    mails.Add(new CapturedMail(item.Name, item.Properties.CreatedOn ?? default, to, json["subject"]?.GetValue<string>() ?? "", text));
                }

                return Results.Ok(mails);
            })
            .ExcludeFromDescription();
        return app;
    }
}
