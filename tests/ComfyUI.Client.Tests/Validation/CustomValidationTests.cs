using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Validation;

/// <summary>The own validation of node classes (VALIDATE_INPUTS), which /object_info does not describe: the core table, and entries users add.</summary>
public sealed class CustomValidationTests
{
    private static NodeSchema Schema => RecordedAnswers.Schema;

    [Fact]
    public void The_core_table_lists_the_classes_of_the_server_with_their_own_validation()
    {
        // Every class of ComfyUI 0.33.0 with a VALIDATE_INPUTS or an overridden validate_inputs (listed from the running server).
        string[] expected =
        [
            "CustomCombo", "FluxProUltraImageNode", "Load3D", "Load3DAdvanced", "LoadAudio", "LoadImage", "LoadImageMask", "LoadImageOutput",
            "LoadLatent", "LoadVideo", "ModelAttentionBackend", "SelectCLIPDevice", "SelectModelDevice", "SelectVAEDevice", "TripoConversionNode",
            "WebcamCapture",
        ];

        Assert.Equal(expected, CustomNodeValidation.Core.Select(v => v.ClassType).Order(StringComparer.Ordinal));
        Assert.All(CustomNodeValidation.Core, v => Assert.True(Schema.Contains(v.ClassType), v.ClassType));
        Assert.All(CustomNodeValidation.Core, v => Assert.NotNull(v.Check));
    }

    [Fact]
    public void A_file_in_the_servers_output_folder_cannot_be_checked_and_is_reported_as_a_notice()
    {
        var validator = new PromptValidator(Schema);

        var result = validator.Validate(Prompt("LoadImage", new JsonObject { ["image"] = "ComfyUI_00001_.png [output]" }));

        Assert.True(result.IsValid);
        var notice = Assert.Single(result.Notices);
        Assert.Equal(("1", "LoadImage"), (notice.NodeId, notice.ClassType));
        Assert.Contains("output folder", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_files_are_checked_against_the_servers_file_lists_unless_told_they_may_be_stale()
    {
        var trusting = new PromptValidator(Schema);
        var doubting = new PromptValidator(Schema, new PromptValidatorOptions { TrustFileLists = false });
        var missing = Prompt("LoadImage", new JsonObject { ["image"] = "uploaded_since.png" });

        Assert.True(trusting.Validate(Prompt("LoadImage", new JsonObject { ["image"] = "example.png" })).IsValid);
        Assert.True(trusting.Validate(Prompt("LoadImage", new JsonObject { ["image"] = "./sub/../example.png [input]" })).IsValid);
        var rejected = trusting.Validate(missing);
        Assert.Equal("image - Invalid image file: uploaded_since.png", Assert.Single(rejected.NodeErrors["1"].Errors).Details);
        var accepted = doubting.Validate(missing);
        Assert.True(accepted.IsValid);
        Assert.Contains("uploaded_since.png", Assert.Single(accepted.Notices).Message, StringComparison.Ordinal);
        Assert.False(doubting.Validate(Prompt("LoadImage", new JsonObject { ["image"] = "../secret.png" })).IsValid);
    }

    [Fact]
    public void A_users_entry_adds_a_custom_nodes_validation_and_its_parameters_skip_the_list_check()
    {
        JsonObject? seen = null;
        var entry = new CustomNodeValidation("ImageToMask", ["channel"], check: context =>
        {
            seen = new JsonObject(context.Arguments.Select(a => KeyValuePair.Create(a.Key, a.Value?.DeepClone())));
            return context.Arguments["channel"]?.GetValue<string>() == "purple" ? CustomValidationResult.Valid : CustomValidationResult.Invalid("not purple");
        });
        var validator = new PromptValidator(Schema, new PromptValidatorOptions { CustomValidations = [.. CustomNodeValidation.Core, entry] });

        var purple = validator.Validate(MaskPrompt("purple"));
        var argumentsSeen = seen!.ToJsonString();
        var red = validator.Validate(MaskPrompt("red"));

        // "purple" is not one of the channels, but the server skips the list check of the function's parameters.
        Assert.True(purple.IsValid);
        Assert.Equal("""{"channel":"purple"}""", argumentsSeen);
        var error = Assert.Single(red.NodeErrors["1"].Errors);
        Assert.Equal(("custom_validation_failed", "Custom validation failed for node", "channel - not purple", "channel"), (error.Type, error.Message, error.Details, error.InputName));
    }

    [Fact]
    public void A_users_entry_without_a_check_is_reported_as_not_run()
    {
        var validator = new PromptValidator(Schema, new PromptValidatorOptions { CustomValidations = [new CustomNodeValidation("ImageToMask", ["channel"])] });

        var result = validator.Validate(MaskPrompt("purple"));

        Assert.True(result.IsValid);
        Assert.Equal("1", Assert.Single(result.Notices).NodeId);
    }

    [Fact]
    public void A_check_that_raises_stops_the_nodes_validation_as_on_the_server()
    {
        var validator = new PromptValidator(Schema, new PromptValidatorOptions
        {
            CustomValidations = [new CustomNodeValidation("ImageToMask", ["channel"], check: _ => CustomValidationResult.Raise("ValueError", "bad channel"))],
        });

        var result = validator.Validate(MaskPrompt("red"));

        var error = Assert.Single(result.NodeErrors["1"].Errors);
        Assert.Equal(("exception_during_inner_validation", "bad channel", "source"), (error.Type, error.Details, error.InputName));
        Assert.Equal("ValueError", error.ExtraInfo!.Value.GetProperty("exception_type").GetString());
    }

    [Fact]
    public void Flux_ultra_aspect_ratios_are_checked_as_the_partner_node_does()
    {
        var validator = new PromptValidator(Schema);

        Assert.Null(Ratio(validator, "16:9"));
        Assert.Equal("Aspect ratio `0.12` must be ≤ 0.25.", Ratio(validator, "1:8"));
        Assert.Equal("Aspect ratio `9` must be ≤ 4.", Ratio(validator, "9:1"));
        Assert.Equal("Aspect ratio `1e+02` must be ≤ 4.", Ratio(validator, "100:1"));
        Assert.Equal("Aspect ratio must be 'X:Y' (e.g., 16:9), got '16x9'.", Ratio(validator, "16x9"));
        Assert.Equal("Aspect ratio must contain integers separated by ':', got 'a:b'.", Ratio(validator, "a:b"));
        Assert.Equal("Aspect ratio parts must be positive integers, got 0:1.", Ratio(validator, "0:1"));
    }

    private static string? Ratio(PromptValidator validator, string ratio)
    {
        var result = validator.Validate(new JsonObject
        {
            ["1"] = new JsonObject
            {
                ["class_type"] = "FluxProUltraImageNode",
                ["inputs"] = new JsonObject { ["prompt"] = "x", ["prompt_upsampling"] = false, ["seed"] = 0, ["aspect_ratio"] = ratio, ["raw"] = false },
            },
            ["2"] = new JsonObject { ["class_type"] = "PreviewImage", ["inputs"] = new JsonObject { ["images"] = new JsonArray("1", 0) } },
        });
        return result.IsValid ? null : result.NodeErrors["1"].Errors.Single(e => e.Type == "exception_during_inner_validation").Details;
    }

    private static JsonObject Prompt(string loader, JsonObject inputs) => new()
    {
        ["1"] = new JsonObject { ["class_type"] = loader, ["inputs"] = inputs },
        ["2"] = new JsonObject { ["class_type"] = "PreviewImage", ["inputs"] = new JsonObject { ["images"] = new JsonArray("1", 0) } },
    };

    private static JsonObject MaskPrompt(string channel) => new()
    {
        ["1"] = new JsonObject { ["class_type"] = "ImageToMask", ["inputs"] = new JsonObject { ["image"] = new JsonArray("3", 0), ["channel"] = channel } },
        ["2"] = new JsonObject { ["class_type"] = "PreviewAny", ["inputs"] = new JsonObject { ["source"] = new JsonArray("1", 0) } },
        ["3"] = new JsonObject { ["class_type"] = "EmptyImage", ["inputs"] = new JsonObject { ["width"] = 8, ["height"] = 8, ["batch_size"] = 1, ["color"] = 0 } },
    };
}
