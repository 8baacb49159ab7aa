import { z } from "zod";
import { PASSWORD_MIN_LENGTH, weakPasswordReason } from "./password";

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.")).pipe(z.string().max(254));
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(256, "Use at most 256 characters.")
  .superRefine((password, context) => {
    const reason = weakPasswordReason(password);
    if (reason) context.addIssue({ code: "custom", message: reason });
  });
export const nameSchema = z.string().trim().min(1, "Enter your name.").max(120);

export const signUpSchema = z.object({ email: emailSchema, name: nameSchema, password: passwordSchema, teamName: z.string().trim().min(1).max(120).optional() });
export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1).max(256) });
export const inviteSchema = z.object({ email: emailSchema });
export const acceptInvitationSchema = z.object({ token: z.string().min(20).max(200), name: nameSchema, password: passwordSchema });

export type SignUpInput = z.infer<typeof signUpSchema>;
export type SignInInput = z.infer<typeof signInSchema>;
