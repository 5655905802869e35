using System.Globalization;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;
using CreditFlows.Functions.Edges;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// Development only: <c>POST /dev/npl/extract?date=&amp;loans=&amp;branches=</c> drops a synthetic extract
/// (the generator the tests and the benchmark use; demo branches B01-B03 by default; date defaults to yesterday) where
/// core banking would. The same seed gives the same book, so two days in a row show ageing but no other churn.
/// </summary>
public static class NplDevEndpoints
{
    public static void MapNplDevEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/dev/npl/extract", async (string? date, int? loans, int? branches, NplStorage storage, BusinessClock clock, CancellationToken cancellationToken) =>
        {
            var day = clock.Today.AddDays(-1);
            if (date is not null && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            {
                return ApiProblems.BadRequest("date", "is a date written yyyy-MM-dd.");
            }

            if (loans is < 1 or > 2_000_000 || branches is < 1 or > 99)
            {
                return ApiProblems.BadRequest(loans is < 1 or > 2_000_000 ? "loans" : "branches", "is out of range (loans 1-2000000, branches 1-99).");
            }

            var options = new GeneratorOptions(loans ?? 5000, day, Branches: branches ?? 3);
            using var csv = new MemoryStream();
            ExtractWriter.Write(csv, ExtractGenerator.Generate(options));
            csv.Position = 0;
            var name = $"{NplStorage.Day(day)}.csv";
            await storage.Extracts.GetBlobClient(name).UploadAsync(csv, overwrite: true, cancellationToken);
            return Results.Ok(new { extract = $"{storage.Extracts.Name}/{name}", loans = options.Loans });
        }).ExcludeFromDescription();
}
