using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>Reading requests and writing answers for the authority matrix API.</summary>
public static partial class AuthorityEndpoints
{
    private static async Task<IResult> RunAsync(HttpContext http, Func<Task<StoredVersion>> action, int status = StatusCodes.Status200OK)
    {
        try
        {
            return Answer(http, await action(), status);
        }
        catch (SettingsRefusal refusal)
        {
            return Problem(refusal);
        }
        catch (VersionNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
    }

    private static IResult Answer(HttpContext http, StoredVersion stored, int status)
    {
        http.Response.Headers.ETag = $"\"{stored.Info.Revision}\"";
        return Results.Json(MatrixAdmin.View(stored), ApplicationStore.Json, statusCode: status);
    }

    private static IResult Problem(SettingsRefusal refusal, string? detail = null) => refusal.Kind switch
    {
        SettingsRefusalKind.Invalid => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid input",
            detail: detail is null ? refusal.Message : $"{detail} {refusal.Message}",
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = refusal.Problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Problem).ToArray()),
            }),
        SettingsRefusalKind.Conflict => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: refusal.Message),
        _ => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: refusal.Message),
    };

    private static Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class =>
        JsonBody.ReadAsync<T>(request, ct, "has a value of the wrong type (amounts are numbers of yuan, dates yyyy-MM-dd, tiers and names are text).");

    /// <summary>The Idempotency-Key, hashed with the caller so two admins' keys never collide.</summary>
    private static IResult? ReadKeyHash(HttpContext http, out string? hash)
    {
        hash = null;
        if (!http.Request.Headers.TryGetValue(ApplicationEndpoints.IdempotencyKeyHeader, out var values))
        {
            return null;
        }

        var value = values.ToString();
        if (value.Length is 0 or > 128 || value.Any(c => c is < '!' or > '~'))
        {
            return ApiProblems.BadRequest(ApplicationEndpoints.IdempotencyKeyHeader, "must be 1-128 visible ASCII characters (a UUID is a good choice).");
        }

        hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{http.User.ToCreditUser().Id}\n{value}")));
        return null;
    }

    private static T? ParseEnum<T>(string? text, string field, List<FieldProblem> problems)
        where T : struct, Enum
    {
        var name = Enum.GetNames<T>().FirstOrDefault(n => n.Equals(text?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            problems.Add(new(field, $"is required: one of {string.Join(", ", Enum.GetNames<T>())}."));
            return null;
        }

        return Enum.Parse<T>(name);
    }

    private static Money? ParseAmount(string? text, string field, bool required, List<FieldProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                problems.Add(new(field, "is required: a number of yuan."));
            }

            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            problems.Add(new(field, $"'{text}' is not a number of yuan."));
            return null;
        }

        if (value < 0 || decimal.Round(value, 2) != value || value > ApplicationRules.MaxAmount.Yuan)
        {
            problems.Add(new(field, $"must be 0 to {ApplicationRules.MaxAmount} yuan with at most two decimals, not {text}."));
            return null;
        }

        return Money.FromYuan(value);
    }

    private static bool ParseBool(string? text, string field, List<FieldProblem> problems)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (!bool.TryParse(text, out var value))
        {
            problems.Add(new(field, "is true or false."));
        }

        return value;
    }
}
