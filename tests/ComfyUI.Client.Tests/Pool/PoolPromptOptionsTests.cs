using System.Reflection;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Pool;

/// <summary>The pool fixes a prompt's id before placing it: the copy must keep every other option the caller set.</summary>
public sealed class PoolPromptOptionsTests
{
    [Fact]
    public void The_copy_with_a_prompt_id_keeps_every_other_option()
    {
        var options = new PromptOptions
        {
            ExtraData = new JsonObject { ["k"] = "v" },
            PreviewMethod = "taesd",
            Front = true,
            Number = 3.5,
            PartialExecutionTargets = ["9"],
            Validate = true,
            PromptId = "caller",
            DownloadOutputsTo = "out",
        };

        var copy = options.WithPromptId("fixed");

        Assert.Equal("fixed", copy.PromptId);
        foreach (var property in typeof(PromptOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != nameof(PromptOptions.PromptId)))
        {
            var set = property.GetValue(options);
            Assert.True(set is not null && !Equals(set, property.PropertyType.IsValueType ? Activator.CreateInstance(property.PropertyType) : null),
                $"The test sets no value for PromptOptions.{property.Name}: add one.");
            Assert.True(Equals(set, property.GetValue(copy)), $"WithPromptId does not copy PromptOptions.{property.Name}.");
        }
    }
}
