using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Validation;

/// <summary>
/// One small prompt per rule of the server's validation (Fixtures/validation/rules.jsonl: the prompt and the answers of two
/// processes of a real ComfyUI 0.33.0, written by make_rules.py beside it), and the captures of shared/captures.
/// </summary>
public sealed class ValidationRuleTests
{
    private static readonly Lazy<IReadOnlyList<RecordedAnswer>> Rules = new(() => RecordedAnswers.Load("rules.jsonl"));

    public static TheoryData<string> RuleNames => new(Rules.Value.Select(r => r.Name));

    private static PromptValidator Validator => RecordedAnswers.Validator;

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Each_rule_gives_the_servers_answer(string name)
    {
        var rule = Rules.Value.Single(r => r.Name == name);

        var result = Validator.ValidateJson(rule.Body);

        Assert.True(RecordedAnswers.Compare(rule, result) == Agreement.Equal, RecordedAnswers.Describe(rule, result));
    }

    [Theory]
    [InlineData("prompt_error_unknown_class.json", """{"1": {"class_type": "DoesNotExist", "inputs": {}}}""")]
    [InlineData("prompt_error_no_outputs.json", """{"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}}}""")]
    [InlineData("prompt_error_bad_link.json", """{"2": {"class_type": "SaveImage", "inputs": {"images": ["99", 0], "filename_prefix": "sdk_test/bad"}}}""")]
    public void Captured_rejections_are_reproduced_exactly(string capture, string prompt)
    {
        var result = Validator.ValidateJson(prompt);

        Assert.Equal(HttpStatusCode.BadRequest, result.StatusCode);
        Assert.Equal(ServerBody.Canonical(400, Fixture.Http(capture)), ServerBody.Canonical(400, result.ToJson()));
    }

    [Fact]
    public void Captured_rejection_with_several_outputs_is_the_servers_in_its_order_and_the_sdks_in_id_order()
    {
        const string prompt = """
            {"1": {"class_type": "EmptyImage", "inputs": {"width": -5, "height": "abc", "batch_size": 1}},
             "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "sdk_test/bad"}},
             "3": {"class_type": "SaveImage", "inputs": {"filename_prefix": "sdk_test/bad"}}}
            """;
        var captured = Fixture.Http("prompt_error_invalid_inputs.json");

        var result = Validator.ValidateJson(prompt);

        // The capturing server took output 3 before 2, so node 1 counts only output 2 as dependent; the SDK takes 2 first.
        Assert.Equal(Agreement.SetOrder, RecordedAnswers.Compare(new RecordedAnswer("capture", prompt, 400, captured, 400, captured), result));
        Assert.Equal(["2", "3"], result.NodeErrors["1"].DependentOutputs);
        Assert.Equal(["3"], result.NodeErrors["3"].DependentOutputs);
        Assert.Equal(["value_smaller_than_min", "invalid_input_type", "required_input_missing"], result.NodeErrors["1"].Errors.Select(e => e.Type));
        Assert.Equal("Required input is missing: images", result.Error!.Details);
    }

    [Fact]
    public void The_result_holds_what_a_server_rejection_holds()
    {
        var result = Validator.ValidateJson("""{"1": {"class_type": "EmptyImage", "inputs": {"width": -5, "height": 8, "batch_size": 1, "color": 0}}, "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}""");

        Assert.False(result.IsValid);
        Assert.Equal(HttpStatusCode.BadRequest, result.StatusCode);
        Assert.Equal("prompt_outputs_failed_validation", result.Error!.Type);
        Assert.Same(result.NodeErrors, result.Error.NodeErrors);
        var detail = Assert.Single(result.NodeErrors["1"].Errors);
        Assert.Equal(("value_smaller_than_min", "Value -5 smaller than min of 1", "width", "width"), (detail.Type, detail.Message, detail.Details, detail.InputName));
        Assert.Equal(-5, detail.ExtraInfo!.Value.GetProperty("received_value").GetInt32());
        Assert.Equal("EmptyImage", result.NodeErrors["1"].ClassType);
        Assert.Empty(result.OutputsToExecute);
        Assert.Equal(["2"], result.FailedOutputs);

        var exception = Assert.IsType<ComfyUIPromptValidationException>(result.ToException());
        Assert.True(exception.ValidatedOffline);
        Assert.Equal("prompt_outputs_failed_validation", exception.ErrorType);
        Assert.Equal(result.ToJson(), exception.ResponseBody);
        Assert.Contains("Value -5 smaller than min of 1", exception.Message, StringComparison.Ordinal);
        Assert.Same(exception.NodeErrors, result.NodeErrors);
        Assert.Throws<ComfyUIPromptValidationException>(result.ThrowIfInvalid);
    }

    [Fact]
    public void A_prompt_with_some_failed_outputs_is_valid_with_their_errors()
    {
        var result = Validator.Validate((JsonObject)JsonNode.Parse("""
            {"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
             "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},
             "3": {"class_type": "PreviewImage", "inputs": {"images": ["99", 0]}}}
            """)!);

        Assert.True(result.IsValid);
        Assert.Null(result.Error);
        Assert.Null(result.ToException());
        result.ThrowIfInvalid();
        Assert.Equal(["2"], result.OutputsToExecute);
        Assert.Equal(["3"], result.FailedOutputs);
        Assert.Equal("exception_during_validation", Assert.Single(result.NodeErrors["3"].Errors).Type);
        Assert.StartsWith("""{"valid": true, "node_errors": {"3": {"errors": [{"type": "exception_during_validation", """, result.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Partial_execution_targets_choose_the_outputs()
    {
        var workflow = Workflow.Parse("""
            {"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
             "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},
             "3": {"class_type": "PreviewImage", "inputs": {"images": ["99", 0]}}}
            """);

        Assert.Equal(["2"], Validator.Validate(workflow, ["2"]).OutputsToExecute);
        Assert.Empty(Validator.Validate(workflow, ["2"]).NodeErrors);
        Assert.Equal("prompt_no_outputs", Validator.Validate(workflow, ["1"]).Error!.Type);
        Assert.False(Validator.Validate(workflow, ["3"]).IsValid);
    }

    [Fact]
    public void A_prompt_the_server_fails_on_is_reported_as_a_500()
    {
        var result = Validator.ValidateJson("""{"1": {"class_type": "ImageInvert", "inputs": []}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, result.StatusCode);
        Assert.Equal("server_error", result.Error!.Type);
        Assert.Equal("AttributeError: 'list' object has no attribute 'items'", result.Error.Details);
        var exception = Assert.IsType<ComfyUIApiException>(result.ToException());
        Assert.Equal(HttpStatusCode.InternalServerError, exception.StatusCode);
        using var body = JsonDocument.Parse(result.ToJson());
        Assert.Equal("server_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public void Validation_leaves_the_workflow_unchanged()
    {
        var workflow = Workflow.Parse("""{"1": {"class_type": "EmptyImage", "inputs": {"width": {"__value__": "8"}, "height": 8.0, "batch_size": 1, "color": 0}}, "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}""");
        var before = workflow.ToJson();

        Assert.True(Validator.Validate(workflow).IsValid);
        Assert.Equal(before, workflow.ToJson());
    }

    [Theory]
    [InlineData(983, null)]
    [InlineData(984, "7")]
    [InlineData(985, "8")]
    [InlineData(1500, "523")]
    public void A_chain_deeper_than_pythons_recursion_limit_fails_where_the_server_does_without_overflowing_the_stack(int length, string? failing)
    {
        var prompt = new JsonObject { ["1"] = new JsonObject { ["class_type"] = "EmptyImage", ["inputs"] = new JsonObject { ["width"] = 8, ["height"] = 8, ["batch_size"] = 1, ["color"] = 0 } } };
        for (var i = 2; i <= length + 1; i++)
        {
            prompt[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject { ["class_type"] = "ImageInvert", ["inputs"] = new JsonObject { ["image"] = new JsonArray((i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), 0) } };
        }

        prompt[(length + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject { ["class_type"] = "PreviewImage", ["inputs"] = new JsonObject { ["images"] = new JsonArray((length + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), 0) } };

        // On a thread with a 1 MB stack (the smallest default, Windows): the validator must not recurse deeper than the server does.
        PromptValidationResult? result = null;
        var thread = new Thread(() => result = Validator.Validate(prompt), 1024 * 1024);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));

        // Measured on ComfyUI 0.33.0: a chain of 983 passes; from 984 on, the node 979 links below the output gets a RecursionError.
        if (failing is null)
        {
            Assert.True(result!.IsValid);
        }
        else
        {
            var (id, node) = Assert.Single(result!.NodeErrors);
            Assert.Equal(failing, id);
            Assert.Equal(("exception_during_inner_validation", "maximum recursion depth exceeded"), (node.Errors[0].Type, node.Errors[0].Details));
            Assert.Equal("RecursionError", node.Errors[0].ExtraInfo!.Value.GetProperty("exception_type").GetString());
        }
    }
}
