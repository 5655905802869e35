using CreditFlows.Domain.Identity;

namespace CreditFlows.Functions.Edges;

/// <summary>The problem+json answers the API gives, in one place, each naming what was wrong.</summary>
public static class ApiProblems
{
    public static IResult BadRequest(string field, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", detail: $"{field}: {detail}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });

    public static IResult OutsideBranch(BranchId branch) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
            detail: $"Branch {branch} is outside your branch scope.");

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
}
