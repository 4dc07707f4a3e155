using System.IO.Compression;
using System.Text.Json;

namespace ComfyUI.Client.Tests.Validation;

/// <summary>A prompt body and what two processes of a real ComfyUI 0.33.0 answered to it.</summary>
internal sealed record RecordedAnswer(string Name, string Body, int StatusA, string AnswerA, int StatusB, string AnswerB);

/// <summary>
/// The recorded (prompt, answers) fixtures of Fixtures/validation, and the validator of the server that answered them (its
/// /object_info is Fixtures/http/object_info.json). A local answer counts as the server's when it equals one process's answer as
/// <see cref="ServerBody.Canonical"/> reduces them, or when another order of outputs and inputs (another server process) gives it.
/// </summary>
internal static class RecordedAnswers
{
    private static readonly Lazy<NodeSchema> LazySchema = new(() => NodeSchema.Parse(Fixture.HttpBytes("object_info.json")));
    private static readonly Lazy<PromptValidator> LazyValidator = new(() => new PromptValidator(Schema));

    public static NodeSchema Schema => LazySchema.Value;

    public static PromptValidator Validator => LazyValidator.Value;

    public static IReadOnlyList<RecordedAnswer> Load(string name)
    {
        var path = Path.Combine(Fixture.Directory, "validation", name);
        using var file = File.OpenRead(path);
        using var stream = name.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new StreamReader(stream);
        var result = new List<RecordedAnswer>();
        while (reader.ReadLine() is { } line)
        {
            using var row = JsonDocument.Parse(line);
            var r = row.RootElement;
            result.Add(new RecordedAnswer(
                r.GetProperty("name").GetString()!,
                r.GetProperty("body").GetString()!,
                r.GetProperty("status_a").GetInt32(),
                r.GetProperty("answer_a").GetString()!,
                r.GetProperty("status_b").GetInt32(),
                r.GetProperty("answer_b").GetString()!));
        }

        return result;
    }

    /// <summary>How the local answer relates to the recorded ones.</summary>
    public static Agreement Compare(RecordedAnswer recorded, PromptValidationResult local, int ordersToTry = 200)
    {
        var a = ServerBody.Canonical(recorded.StatusA, recorded.AnswerA);
        var b = ServerBody.Canonical(recorded.StatusB, recorded.AnswerB);
        var mine = ServerBody.Canonical((int)local.StatusCode, local.ToJson());
        if (mine == a || mine == b)
        {
            return Agreement.Equal;
        }

        if (ServerBody.Verdict((int)local.StatusCode) != ServerBody.Verdict(recorded.StatusA))
        {
            return Agreement.DifferentVerdict;
        }

        for (var seed = 1; seed <= ordersToTry; seed++)
        {
            var other = Validator.ValidateJson(recorded.Body, new Random(seed));
            var canonical = ServerBody.Canonical((int)other.StatusCode, other.ToJson());
            if (canonical == a || canonical == b)
            {
                return Agreement.SetOrder;
            }
        }

        return Agreement.Different;
    }

    public static string Describe(RecordedAnswer recorded, PromptValidationResult local) =>
        $"{recorded.Name}\n  server: {ServerBody.Canonical(recorded.StatusA, recorded.AnswerA)}\n  local:  {ServerBody.Canonical((int)local.StatusCode, local.ToJson())}";
}

internal enum Agreement
{
    /// <summary>Equal to a recorded answer (after the set-order reduction).</summary>
    Equal,

    /// <summary>Equal to a recorded answer in another order of outputs and inputs (a server process with another hash seed).</summary>
    SetOrder,

    /// <summary>The same verdict, another body in every order.</summary>
    Different,

    /// <summary>Another verdict.</summary>
    DifferentVerdict,
}
