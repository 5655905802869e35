using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditFlows.Functions.Edges;

/// <summary>Reads a JSON request body strictly: an unknown field, a wrong type or an enum name not allowed is a 400 naming the field.</summary>
public static class JsonBody
{
    public static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the problem to answer: 415 for another content type, 400 naming the
    /// field for an empty body, bad JSON, an unknown field or a wrong type (<paramref name="wrongType"/> says what the
    /// types are, where the caller has something more useful to say than the default). A converter's own message that
    /// speaks of yuan (amounts) is passed on as it is.
    /// </summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken, string? wrongType = null)
        where T : class
    {
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the body as application/json."));
        }

        using var reader = new StreamReader(request.Body);
        var raw = await reader.ReadToEndAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return (null, ApiProblems.BadRequest("body", "A JSON body is required."));
        }

        try
        {
            var body = JsonSerializer.Deserialize<T>(raw, StrictJson);
            return body is null ? (null, ApiProblems.BadRequest("body", "A JSON object is required.")) : (body, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "body";
            var detail = ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "is not a field of this request."
                : ex.Message.Contains("yuan", StringComparison.Ordinal) ? ex.Message.Split(" Path:")[0]
                : ex.Path is null or "$" ? "is not valid JSON."
                : wrongType ?? "has a value of the wrong type, or a name that is not one of the allowed values.";
            return (null, ApiProblems.BadRequest(field, detail));
        }
    }
}
