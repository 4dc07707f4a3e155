using System.Text;

namespace ComfyUI.Client.Tests.Validation;

/// <summary>
/// The offline validator against 4,653 recorded answers of a real ComfyUI 0.33.0 (Fixtures/validation/corpus.jsonl.gz: prompts
/// the live differential test generated, one per node class, hand-made and public workflows, the ComfyUI_examples prompts, and their mutations, each answered by
/// two server processes). No server needed: this is the always-on form of ValidationDifferentialTests.
/// </summary>
public sealed class ValidationCorpusTests
{
    [Fact]
    public void Every_recorded_prompt_gets_the_servers_verdict_and_body()
    {
        var corpus = RecordedAnswers.Load("corpus.jsonl.gz");
        var counts = new Dictionary<Agreement, int>();
        var report = new StringBuilder();
        foreach (var recorded in corpus)
        {
            var result = RecordedAnswers.Validator.ValidateJson(recorded.Body);
            var agreement = RecordedAnswers.Compare(recorded, result);
            counts[agreement] = counts.GetValueOrDefault(agreement) + 1;
            if (agreement is Agreement.Different or Agreement.DifferentVerdict)
            {
                report.AppendLine(RecordedAnswers.Describe(recorded, result));
            }
        }

        Assert.True(corpus.Count >= 4500, $"only {corpus.Count} recorded prompts");
        Assert.True(report.Length == 0, report.ToString());
        // The rest: bodies one of the two processes gave, or that a process with another hash seed gives (set-order effects).
        Assert.True(counts.GetValueOrDefault(Agreement.Equal) >= corpus.Count * 0.93, $"equal to a recorded answer: {counts.GetValueOrDefault(Agreement.Equal)}/{corpus.Count}");
    }
}
